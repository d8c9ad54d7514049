import { sleep } from '../util/sleep';

/**
 * What `take()` gives a request: the moment it was let go, by the pacer's clock. Handed back to
 * `slowDown()` when the server answers SlowDown, so the pacer knows which rate the answer is about.
 */
export type PacerTicket = number;

/**
 * Keeps Quire's request rate below the storage provider's limits, and slows down further when
 * the provider says so. Spaces answers `503 SlowDown` above its limits (docs/storage-facts.md: 1,500
 * requests/s per IP; older buckets 500 ops/s and 300 writes+lists/s); hammering on at the same
 * rate only earns more of them. Additive increase, multiplicative decrease, the way TCP shares a
 * link:
 *
 * - Decrease once per window. A SlowDown cuts the rate only if its request was let go at least
 *   a window after the last cut: answers to requests sent before the cut (a burst of parts in
 *   flight, all refused together) or in the first second after it (Spaces' limits are rates per
 *   second, so its count still holds requests sent at the old rate) say nothing about the new
 *   rate. TCP cuts once per round trip for the same reason; the round trip of a per-second limit
 *   is a second. A cut keeps 70% of the rate, or less when the server refused more than 30% of
 *   the requests sent since the last cut: then the rate drops to the share it accepted.
 * - Increase steadily: a tenth of the configured rate per second, SlowDowns or not, so the rate
 *   climbs back to where the provider stops refusing.
 * - Never below a floor, where the retries' own backoff takes over.
 *
 * Against a real limit the rate saws just under it. In a storm of SlowDowns that do not depend
 * on the rate (a provider's bad minute: every request has the same chance of a SlowDown, however
 * slowly Quire goes) the rate settles near a third of the configured rate, where a cut a second
 * is won back by a second of increase, instead of collapsing to the floor; the retries, not the
 * pacing, get the work done. The price of not collapsing: a limit far below the configured rate
 * (under a third of it) is not found by pacing alone, and the retries' backoff slows the rest.
 *
 * A token bucket: up to one second's worth of requests may start at once, then they are spaced.
 */
export class RequestPacer {
  private tokens: number;
  private lastRefill: number;
  private current: number;
  private lastCut = Number.NEGATIVE_INFINITY;
  /** Requests let go since the last cut, and SlowDowns answered to them. */
  private sentSinceCut = 0;
  private refusedSinceCut = 0;
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
    this.refill();
    this.configured = requestsPerSecond;
    this.current = Math.min(this.current, requestsPerSecond);
  }

  /** Waits until one more request may start; the ticket goes back with a SlowDown answer to it. */
  take(signal?: AbortSignal): Promise<PacerTicket> {
    const turn = this.tail.then(() => this.waitForToken(signal));
    // A caller that gave up (abort) must not block the ones behind it.
    this.tail = turn.then(
      () => {},
      () => {},
    );
    return turn;
  }

  /**
   * The server answered SlowDown to the request that took `ticket`: cut the rate, unless the
   * request was let go before the current window opened (see the class comment). Without a
   * ticket the answer counts as one to a request sent just now.
   */
  slowDown(ticket: PacerTicket = this.now()): void {
    // Sent before the last cut: that cut already answered for it.
    if (ticket < this.lastCut) return;
    this.refusedSinceCut += 1;
    if (ticket < this.lastCut + WINDOW_MS) return;
    this.refill();
    const refused = this.sentSinceCut >= MIN_SAMPLE ? Math.min(1, this.refusedSinceCut / this.sentSinceCut) : 0;
    const keep = Math.min(DECREASE, Math.max(DEEPEST_CUT, 1 - refused));
    this.current = Math.max(Math.min(MIN_RATE, this.configured), this.current * keep);
    this.lastCut = this.now();
    this.sentSinceCut = 0;
    this.refusedSinceCut = 0;
    // No saved-up burst after a cut: the next requests go at the new rate.
    this.tokens = Math.min(this.tokens, 0);
  }

  private async waitForToken(signal?: AbortSignal): Promise<PacerTicket> {
    for (;;) {
      signal?.throwIfAborted();
      this.refill();
      if (this.tokens >= 1) {
        this.tokens -= 1;
        this.sentSinceCut += 1;
        return this.lastRefill;
      }
      await sleep(Math.ceil(((1 - this.tokens) / this.current) * 1000), signal);
    }
  }

  private refill(): void {
    const at = this.now();
    const seconds = Math.max(0, (at - this.lastRefill) / 1000);
    this.lastRefill = at;
    if (this.current < this.configured) this.current = Math.min(this.configured, this.current + this.configured * INCREASE_PER_SECOND * seconds);
    this.tokens = Math.min(this.current, this.tokens + seconds * this.current);
  }
}

/**
 * How long after a cut a request must have been let go for its SlowDown to cut again: the
 * period of the provider's limits (requests per second).
 */
export const WINDOW_MS = 1000;
/** A cut keeps at most 70% of the rate (TCP CUBIC's and the AWS SDKs' adaptive mode's factor; Reno halves)... */
export const DECREASE = 0.7;
/** ...and at least 10%, however many requests were refused. */
const DEEPEST_CUT = 0.1;
/** Fewer requests than this since the last cut tell too little about the share refused: the cut is the plain 30%. */
const MIN_SAMPLE = 10;
/** Share of the configured rate won back per second. */
export const INCREASE_PER_SECOND = 0.1;
/** Below this a SlowDown storm is better met by the retry backoff than by slower pacing. */
export const MIN_RATE = 2;
