import { Readable } from 'node:stream';
import { sleep } from '../util/sleep';

/** Bodies are released in slices this big: small enough to keep the rate smooth, big enough to stay cheap. */
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

  /**
   * The body to hand to the HTTP client: the buffer itself when uncapped (no copy, no stream),
   * otherwise a stream that releases it slice by slice as the cap allows.
   */
  body(buffer: Buffer, signal?: AbortSignal): Buffer | Readable {
    if (this.bytesPerSecond <= 0) return buffer;
    const take = (bytes: number) => this.take(bytes, signal);
    async function* slices() {
      for (let offset = 0; offset < buffer.length; offset += SLICE_BYTES) {
        const slice = buffer.subarray(offset, offset + SLICE_BYTES);
        try {
          await take(slice.length);
        } catch {
          // Paused or cancelled: the same signal aborts the request itself, which reports it.
          // Erroring the stream as well would be an error nobody listens for any more.
          return;
        }
        yield slice;
      }
    }
    return Readable.from(slices(), { objectMode: false });
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
