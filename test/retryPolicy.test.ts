import { describe, expect, it } from 'vitest';
import { THROTTLED_ATTEMPTS_FACTOR, backoffDelayMs, isRetryable, isThrottled, retryDelayMs } from '../src/main/core/s3/retryPolicy';
import { withRetries } from '../src/main/core/s3/withRetries';

const s3Error = (name: string, status?: number) => Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });

describe('retry policy', () => {
  it.each([
    ['SlowDown', 503],
    ['InternalError', 500],
    ['ServiceUnavailable', 503],
    ['RequestTimeout', 400],
    ['RequestTimeTooSkewed', 403],
    ['TooManyRequests', 429],
    ['BadGateway', 502],
  ])('retries %s (%i)', (name, status) => {
    expect(isRetryable(s3Error(name, status))).toBe(true);
  });

  it.each([
    ['AccessDenied', 403],
    ['SignatureDoesNotMatch', 403],
    ['NoSuchBucket', 404],
    ['BadDigest', 400],
    ['InvalidArgument', 400],
  ])('does not retry %s (%i)', (name, status) => {
    expect(isRetryable(s3Error(name, status))).toBe(false);
  });

  it('retries network failures and never an abort', () => {
    expect(isRetryable(Object.assign(new Error('reset'), { code: 'ECONNRESET' }))).toBe(true);
    expect(isRetryable(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isRetryable(Object.assign(new Error('paused'), { name: 'AbortError' }))).toBe(false);
  });

  it('retries a bare 403 only when the SDK has just corrected its clock from the answer', () => {
    const skewedHead = Object.assign(new Error('403'), { name: '403', $metadata: { httpStatusCode: 403, clockSkewCorrected: true } });
    expect(isRetryable(skewedHead)).toBe(true);
    expect(isRetryable(s3Error('403', 403))).toBe(false);
  });

  it('backs off exponentially with full jitter under a cap', () => {
    expect(backoffDelayMs(1, () => 0.999)).toBeLessThan(500);
    expect(backoffDelayMs(4, () => 0.999)).toBeLessThan(4000);
    expect(backoffDelayMs(4, () => 0.999)).toBeGreaterThan(3000);
    expect(backoffDelayMs(30, () => 0.999)).toBeLessThanOrEqual(60_000);
    expect(backoffDelayMs(5, () => 0)).toBe(0);
  });

  it('steps a throttled request aside briefly (the pacer slows the connection), every other failure for longer', () => {
    expect(isThrottled(s3Error('SlowDown', 503))).toBe(true);
    expect(isThrottled(s3Error('TooManyRequests', 429))).toBe(true);
    expect(isThrottled(s3Error('ServiceUnavailable', 503))).toBe(false);
    expect(isThrottled(s3Error('InternalError', 500))).toBe(false);
    // A SlowDown's first retry within 100 ms, doubling from there; a server error's within 500 ms.
    expect(retryDelayMs(s3Error('SlowDown', 503), 1, () => 0.999)).toBeLessThan(100);
    expect(retryDelayMs(s3Error('SlowDown', 503), 3, () => 0.999)).toBeGreaterThan(390);
    expect(retryDelayMs(s3Error('SlowDown', 503), 3, () => 0.999)).toBeLessThan(400);
    // ...and never more than a second: the pacer, not the wait, lowers the load.
    expect(retryDelayMs(s3Error('SlowDown', 503), 7, () => 0.999)).toBeLessThan(1000);
    expect(retryDelayMs(s3Error('SlowDown', 503), 7, () => 0.999)).toBeGreaterThan(990);
    expect(retryDelayMs(s3Error('InternalError', 500), 1, () => 0.999)).toBeGreaterThan(490);
    expect(retryDelayMs(s3Error('InternalError', 500), 1, () => 0.999)).toBeLessThan(500);
  });

  it('gives a throttled request more tries than a failing one before handing the file back to the queue', async () => {
    const attemptsUntilGivingUp = async (error: () => Error) => {
      let attempts = 0;
      await expect(
        withRetries(
          async () => {
            attempts += 1;
            throw error();
          },
          { maxAttempts: 4, random: () => 0 },
        ),
      ).rejects.toThrow();
      return attempts;
    };
    expect(await attemptsUntilGivingUp(() => s3Error('InternalError', 500))).toBe(4);
    expect(await attemptsUntilGivingUp(() => s3Error('SlowDown', 503))).toBe(4 * THROTTLED_ATTEMPTS_FACTOR);
    // A request that fails for good is not retried however it was throttled before.
    let attempts = 0;
    await expect(
      withRetries(
        async () => {
          attempts += 1;
          throw attempts < 5 ? s3Error('SlowDown', 503) : s3Error('AccessDenied', 403);
        },
        { maxAttempts: 4, random: () => 0 },
      ),
    ).rejects.toMatchObject({ name: 'AccessDenied' });
    expect(attempts).toBe(5);
  });
});
