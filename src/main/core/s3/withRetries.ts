import { THROTTLED_ATTEMPTS_FACTOR, isRetryable, isThrottled, retryDelayMs } from './retryPolicy';
import { sleep } from '../util/sleep';

export interface RetryOptions {
  /**
   * Tries per request before the upload as a whole is handed back to the queue as "waiting";
   * a request the server throttles (SlowDown) gets THROTTLED_ATTEMPTS_FACTOR times as many.
   */
  maxAttempts: number;
  signal?: AbortSignal;
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  random?: () => number;
}

/** Runs one S3 request, trying again after the failures retryPolicy.ts calls passing. */
export async function withRetries<T>(request: () => Promise<T>, options: RetryOptions): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await request();
    } catch (error) {
      const limit = isThrottled(error) ? options.maxAttempts * THROTTLED_ATTEMPTS_FACTOR : options.maxAttempts;
      if (attempt >= limit || !isRetryable(error) || options.signal?.aborted) throw error;
      const delay = retryDelayMs(error, attempt, options.random);
      options.onRetry?.(error, attempt, delay);
      await sleep(delay, options.signal);
    }
  }
}
