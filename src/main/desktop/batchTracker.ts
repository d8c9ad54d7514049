import type { QueueState, UploadChangedEvent, UploadSummary } from '../../shared/upload';

/** What a finished batch did: the one notification of it says this. */
export interface FinishedBatch {
  verified: number;
  verifiedBytes: number;
  failed: number;
  /** An upload of the batch that failed (a click opens it), if any. */
  firstFailedId: string | null;
}

/** How far the batch under way is, for the taskbar's progress bar and the tray's tooltip. */
export interface BatchProgress {
  files: number;
  done: number;
  bytes: number;
  bytesDone: number;
}

/**
 * A batch is what the queue works on from when it gets busy until it is idle again: every upload
 * that changed meanwhile, however it was added (a drop, a watch folder, the CLI). It gives the
 * overall progress while it runs and, when the queue is idle again, what it came to: one summary
 * per batch, never one per file.
 */
export class BatchTracker {
  private readonly members = new Map<string, { size: number; bytesDone: number; status: UploadSummary['status'] }>();
  private busy = false;

  /** An upload changed: it joins the batch under way (or starts one). */
  uploadChanged(event: UploadChangedEvent): void {
    const { upload } = event;
    const known = this.members.get(upload.id);
    // Cancelled before the batch saw it work: nothing of it is the batch's.
    if (!known && upload.status === 'cancelled') return;
    const sending = upload.status === 'uploading' ? (event.bytesSending ?? 0) : 0;
    this.members.set(upload.id, { size: upload.size, bytesDone: upload.status === 'verified' ? upload.size : Math.min(upload.size, upload.bytesDone + sending), status: upload.status });
  }

  /**
   * The queue's state: when it has nothing left to do (idle, or stopped by the author's pause of
   * everything) the batch ends, and what it came to is returned, once.
   */
  queueChanged(state: QueueState): FinishedBatch | null {
    const working = state.active > 0 || state.pending > 0;
    if (working) {
      this.busy = true;
      return null;
    }
    if (!this.busy && this.members.size === 0) return null;
    this.busy = false;
    return this.finish();
  }

  progress(): BatchProgress | null {
    if (this.members.size === 0) return null;
    let bytes = 0;
    let bytesDone = 0;
    let done = 0;
    for (const member of this.members.values()) {
      // A cancelled file is out of the batch's work; a failed one counts as done (nothing more will go).
      if (member.status === 'cancelled') continue;
      bytes += member.size;
      bytesDone += member.status === 'failed' ? member.size : member.bytesDone;
      if (member.status === 'verified' || member.status === 'failed') done += 1;
    }
    const files = [...this.members.values()].filter((member) => member.status !== 'cancelled').length;
    return { files, done, bytes, bytesDone };
  }

  private finish(): FinishedBatch | null {
    let verified = 0;
    let verifiedBytes = 0;
    let failed = 0;
    let firstFailedId: string | null = null;
    for (const [id, member] of this.members) {
      if (member.status === 'verified') {
        verified += 1;
        verifiedBytes += member.size;
      } else if (member.status === 'failed') {
        failed += 1;
        firstFailedId ??= id;
      }
    }
    this.members.clear();
    return verified + failed > 0 ? { verified, verifiedBytes, failed, firstFailedId } : null;
  }
}
