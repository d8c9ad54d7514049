/**
 * When is trying an S3 request again worth it? One pure predicate, so every caller agrees and a
 * test can pin each case down. An error here is what the AWS SDK throws: `name` is the S3 error
 * code, `$metadata.httpStatusCode` the status, `code` a Node socket error.
 */
export interface S3ErrorLike {
  name?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number; clockSkewCorrected?: boolean };
}

/** Socket errors that mean the network path failed: the retry rule and the author's message both read this one list. */
export const NETWORK_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET', // the connection dropped mid-request: a laptop changing Wi-Fi, a proxy restart
  'ECONNREFUSED', // the endpoint is not listening (yet): offline, or a server restarting
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND', // DNS gone: usually offline, and it comes back
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ENETDOWN',
  'UND_ERR_SOCKET',
]);

/** The HTTP status of the server's answer an S3 error carries, if an answer came at all. */
export function httpStatusOf(error: unknown): number | undefined {
  return (error as S3ErrorLike | undefined)?.$metadata?.httpStatusCode;
}

export function isAbort(error: unknown): boolean {
  const name = (error as S3ErrorLike | undefined)?.name;
  return name === 'AbortError' || name === 'RequestAbortedError';
}

/**
 * The network path failed: nothing came back from the server (refused, reset, silent). Unlike a
 * server's "not now", this usually means the author is offline, and it can last for hours.
 */
export function isNetworkError(error: unknown): boolean {
  const e = (error ?? {}) as S3ErrorLike;
  if (e.$metadata?.httpStatusCode !== undefined) return false;
  if (e.code && NETWORK_ERROR_CODES.has(e.code)) return true;
  // The SDK names socket timeouts (a stalled path) and some resets itself, without a status.
  return e.name === 'TimeoutError' || e.name === 'NetworkingError';
}

export function isRetryable(error: unknown): boolean {
  // A pause or cancel aborts requests on purpose: that is never a failure to retry.
  if (isAbort(error)) return false;
  const e = (error ?? {}) as S3ErrorLike;
  if (isNetworkError(error)) return true;
  if (e.name === 'RequestTimeout') return true;
  // 503 SlowDown is Spaces' rate limit; its documented remedy is backing off and trying again.
  if (e.name === 'SlowDown' || e.name === 'ServiceUnavailable' || e.name === 'InternalError') return true;
  // Skew is corrected from the server's Date before the retry (the SDK's systemClockOffset).
  // A HEAD has no body to name the error, so a skewed HEAD is a bare 403: the SDK flags that it
  // has just corrected its clock from the answer's Date, and then the retry will pass.
  if (e.name === 'RequestTimeTooSkewed' || e.$metadata?.clockSkewCorrected === true) return true;
  // The body arrived other than it was sent (its SHA-256 or a chunk's signature did not match):
  // damaged on the way, and the next attempt reads and signs it afresh. A file that changed on
  // disk meanwhile is caught by its size and mtime before the next attempt.
  if (e.name === 'XAmzContentSHA256Mismatch') return true;
  const status = e.$metadata?.httpStatusCode;
  if (status === undefined) return false;
  // 429 and every 5xx are the server saying "not now", not "never".
  if (status === 429 || status >= 500) return true;
  // 400 (bad digest, bad request), 403 (keys, permissions) and 404 (bucket, upload gone) will
  // fail the same way again: retrying only hides the real problem from the author.
  return false;
}

/**
 * Exponential backoff with full jitter (a random delay between 0 and the exponential ceiling),
 * so many parts that failed together do not all come back at the same instant.
 */
export function backoffDelayMs(attempt: number, random: () => number = Math.random, baseMs = 500, capMs = 60_000): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}
