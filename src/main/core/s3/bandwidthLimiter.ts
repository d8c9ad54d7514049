import { sleep } from '../util/sleep';

/** The smallest burst: the slices objectWriter.ts releases are this big. */
const SLICE_BYTES = 64 * 1024;

/**
 * The author's global upload cap in bytes per second, shared by every part of every file (so
 * Quire leaves room for a video call). A token bucket holding at most a quarter second of
 * bytes: the average over any minute stays within a few percent of the cap, while a burst after
 * an idle moment is too small to be felt. With no cap set, bodies go out untouched.
 */
export class BandwidthLimiter {
  private bytesPerSecond: number;
  private tokens = 0;
  private lastRefill = performance.now();
  private tail: Promise<void> = Promise.resolve();

  constructor(bytesPerSecond = 0) {
    this.bytesPerSecond = bytesPerSecond;
  }

  get limit(): number {
    return this.bytesPerSecond;
  }

  /** 0 removes the cap. Takes effect for the next slice of every body in flight. */
  setLimit(bytesPerSecond: number): void {
    this.bytesPerSecond = Math.max(0, bytesPerSecond);
    this.tokens = 0;
    this.lastRefill = performance.now();
  }

  /** Waits until `bytes` more may be sent. FIFO, so one part cannot starve the others. */
  take(bytes: number, signal?: AbortSignal): Promise<void> {
    const turn = this.tail.then(() => this.waitFor(bytes, signal));
    this.tail = turn.catch(() => {});
    return turn;
  }

  private async waitFor(bytes: number, signal?: AbortSignal): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      if (this.bytesPerSecond <= 0) return;
      this.refill();
      if (this.tokens >= bytes) {
        this.tokens -= bytes;
        return;
      }
      await sleep(Math.max(1, Math.ceil(((bytes - this.tokens) / this.bytesPerSecond) * 1000)), signal);
    }
  }

  private refill(): void {
    const at = performance.now();
    const burst = Math.max(SLICE_BYTES, this.bytesPerSecond / 4);
    this.tokens = Math.min(burst, this.tokens + ((at - this.lastRefill) / 1000) * this.bytesPerSecond);
    this.lastRefill = at;
  }
}
