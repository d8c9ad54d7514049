import { backoffDelayMs, isRetryable } from '../s3/retryPolicy';
import { sleep } from '../util/sleep';

export interface RetryOptions {
  /** Tries per request before the upload as a whole is handed back to the queue as "waiting". */
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
      if (attempt >= options.maxAttempts || !isRetryable(error) || options.signal?.aborted) throw error;
      const delay = backoffDelayMs(attempt, options.random);
      options.onRetry?.(error, attempt, delay);
      await sleep(delay, options.signal);
    }
  }
}
