import type { EngineEvents } from '../events/engineEvents';
import type { UploadRepository } from './uploadRepository';

/** At most ten events a second per upload: a 5 GiB chapter's parts need not each repaint a window. */
export const UPLOAD_EVENT_INTERVAL_MS = 100;

/**
 * Turns "this row changed" into `upload.changed` events carrying the row's full summary as the
 * ledger holds it when the event leaves: an event can never say what was not written, and a UI
 * updates one row without listing the queue again. Changes to one upload closer together than
 * the interval are sent once, at the end of it, with every notice they carried.
 */
export class UploadChanges {
  private readonly pending = new Map<string, string[]>();
  /** Bytes of parts in flight per upload, sent with its next event (see TransferContext.sending). */
  private readonly inFlight = new Map<string, number>();
  private readonly sentAt = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly repository: Pick<UploadRepository, 'get' | 'update' | 'summarize'>,
    private readonly events: EngineEvents,
    private readonly now: () => number = () => performance.now(),
  ) {}

  changed(id: string, notice?: string): void {
    // Kept with the row, so a window opened later (or reloaded after a restart) still says it.
    if (notice) this.repository.update(id, { notice });
    const waiting = this.pending.get(id);
    if (waiting) {
      if (notice) waiting.push(notice);
      return;
    }
    const last = this.sentAt.get(id);
    if (last === undefined || this.now() - last >= UPLOAD_EVENT_INTERVAL_MS) {
      this.send(id, notice ? [notice] : []);
      return;
    }
    this.pending.set(id, notice ? [notice] : []);
    this.schedule();
  }

  /** Bytes in flight changed: shown with the next event, at the same pace as every change. */
  sending(id: string, bytes: number | null): void {
    if (bytes === null) {
      this.inFlight.delete(id);
      return;
    }
    if (this.inFlight.get(id) === bytes) return;
    this.inFlight.set(id, bytes);
    this.changed(id);
  }

  /**
   * Resolves once nothing is held back (at most one interval): a run reports, and an engine stops,
   * only after the hosts have heard every upload's last state.
   */
  drain(): Promise<void> {
    if (this.pending.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.drained.push(resolve));
  }

  private readonly drained: (() => void)[] = [];

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.sendDue();
    }, UPLOAD_EVENT_INTERVAL_MS);
  }

  private sendDue(): void {
    const now = this.now();
    for (const [id, notices] of this.pending) {
      if (now - (this.sentAt.get(id) ?? Number.NEGATIVE_INFINITY) < UPLOAD_EVENT_INTERVAL_MS) continue;
      this.pending.delete(id);
      this.send(id, notices);
    }
    // Only uploads heard from within the interval need remembering.
    for (const [id, at] of this.sentAt) if (now - at >= UPLOAD_EVENT_INTERVAL_MS && !this.pending.has(id)) this.sentAt.delete(id);
    if (this.pending.size > 0) this.schedule();
    else for (const resolve of this.drained.splice(0)) resolve();
  }

  private send(id: string, notices: string[]): void {
    const row = this.repository.get(id);
    if (!row) return;
    this.sentAt.set(id, this.now());
    if (this.sentAt.size > 10_000 && !this.timer) this.schedule();
    const sending = row.status === 'uploading' ? this.inFlight.get(id) : undefined;
    this.events.emit('upload.changed', { upload: this.repository.summarize(row), ...(notices.length > 0 ? { notice: notices.join(' ') } : {}), ...(sending ? { bytesSending: sending } : {}) });
  }
}
