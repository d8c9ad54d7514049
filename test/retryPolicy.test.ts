import { describe, expect, it } from 'vitest';
import { backoffDelayMs, isRetryable } from '../src/main/core/s3/retryPolicy';

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
});
