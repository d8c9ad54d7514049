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

/** Statuses an upload rests in until the author acts: a batch whose uploads are all in one is over. */
const SETTLED: ReadonlySet<UploadSummary['status']> = new Set(['verified', 'failed', 'cancelled', 'paused']);

/**
 * A batch is what the queue works on from when it gets busy until it is idle again: every upload
 * that changed meanwhile, however it was added (a drop, a watch folder, the CLI). It gives the
 * overall progress while it runs and, once the queue is idle and every upload of it has said how
 * it ended, what it came to: one summary per batch, never one per file. (The queue's state is
 * sent at once, an upload's changes up to a tenth of a second later: "idle" often comes before
 * the last files' "verified", so the batch waits for them.)
 */
export class BatchTracker {
  private readonly members = new Map<string, { size: number; bytesDone: number; status: UploadSummary['status'] }>();
  private idle = true;

  /** An upload changed: it joins the batch under way (or starts one); the batch may end with it. */
  uploadChanged(event: UploadChangedEvent): FinishedBatch | null {
    const { upload } = event;
    // Cancelled before the batch saw it work: nothing of it is the batch's.
    if (!this.members.has(upload.id) && upload.status === 'cancelled') return null;
    const sending = upload.status === 'uploading' ? (event.bytesSending ?? 0) : 0;
    this.members.set(upload.id, { size: upload.size, bytesDone: upload.status === 'verified' ? upload.size : Math.min(upload.size, upload.bytesDone + sending), status: upload.status });
    return this.idle ? this.finishIfSettled() : null;
  }

  /** The queue's state: with nothing left to do (idle, or everything paused) the batch ends once its uploads have. */
  queueChanged(state: QueueState): FinishedBatch | null {
    this.idle = state.active === 0 && state.pending === 0;
    return this.idle ? this.finishIfSettled() : null;
  }

  progress(): BatchProgress | null {
    let files = 0;
    let done = 0;
    let bytes = 0;
    let bytesDone = 0;
    for (const member of this.members.values()) {
      // A cancelled file is out of the batch's work; a failed one counts as done (nothing more will go).
      if (member.status === 'cancelled') continue;
      files += 1;
      bytes += member.size;
      bytesDone += member.status === 'failed' ? member.size : member.bytesDone;
      if (member.status === 'verified' || member.status === 'failed') done += 1;
    }
    return files === 0 ? null : { files, done, bytes, bytesDone };
  }

  private finishIfSettled(): FinishedBatch | null {
    if (this.members.size === 0) return null;
    for (const member of this.members.values()) if (!SETTLED.has(member.status)) return null;
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
