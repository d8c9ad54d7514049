import { sleep } from '../util/sleep';

/**
 * Keeps Quire's request rate below the storage provider's limits, and slows down further when
 * the provider says so. Spaces answers `503 SlowDown` above its limits (anchors.md: 1,500
 * requests/s per IP; older buckets 500 ops/s and 300 writes+lists/s); hammering on at the same
 * rate only earns more of them, so every SlowDown halves the rate (down to a floor) and each
 * quiet second wins back a tenth of the configured rate: additive increase, multiplicative decrease,
 * the way TCP shares a link.
 *
 * A token bucket: up to one second's worth of requests may start at once, then they are spaced.
 */
export class RequestPacer {
  private tokens: number;
  private lastRefill: number;
  private current: number;
  private lastSlowDown = Number.NEGATIVE_INFINITY;
  /** Callers waiting for a token, in order: nobody is overtaken. */
  private tail: Promise<void> = Promise.resolve();

  constructor(
    private configured: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.current = configured;
    this.tokens = configured;
    this.lastRefill = now();
  }

  /** Requests per second allowed right now (lower than configured after a SlowDown). */
  get rate(): number {
    this.refill();
    return this.current;
  }

  setRate(requestsPerSecond: number): void {
    this.configured = requestsPerSecond;
    this.current = Math.min(this.current, requestsPerSecond);
  }

  /** Waits until one more request may start. */
  take(signal?: AbortSignal): Promise<void> {
    const turn = this.tail.then(() => this.waitForToken(signal));
    // A caller that gave up (abort) must not block the ones behind it.
    this.tail = turn.catch(() => {});
    return turn;
  }

  /** The server said SlowDown: halve the rate, at most once per 200 ms (a burst of parts all fail together). */
  slowDown(): void {
    const at = this.now();
    if (at - this.lastSlowDown < 200) return;
    this.refill();
    this.lastSlowDown = at;
    this.current = Math.max(MIN_RATE, this.current / 2);
    this.tokens = Math.min(this.tokens, 0);
  }

  private async waitForToken(signal?: AbortSignal): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      this.refill();
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await sleep(Math.ceil(((1 - this.tokens) / this.current) * 1000), signal);
    }
  }

  private refill(): void {
    const at = this.now();
    const seconds = (at - this.lastRefill) / 1000;
    this.lastRefill = at;
    if (this.current < this.configured && at - this.lastSlowDown > 1000) {
      this.current = Math.min(this.configured, this.current + (this.configured / 10) * seconds);
    }
    this.tokens = Math.min(this.current, this.tokens + seconds * this.current);
  }
}

/** Below this a SlowDown storm is better met by the retry backoff than by slower pacing. */
const MIN_RATE = 2;
