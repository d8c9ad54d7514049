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
 * The server's "not now" about Quire's rate: S3's and Spaces' `503 SlowDown`, or a plain 429.
 * The request itself is fine and the server is up; the connection's pacer (requestPacer.ts)
 * slows every request down for it, so the request itself only needs to step aside briefly.
 */
export function isThrottled(error: unknown): boolean {
  return (error as S3ErrorLike | undefined)?.name === 'SlowDown' || httpStatusOf(error) === 429;
}

/**
 * Exponential backoff with full jitter (a random delay between 0 and the exponential ceiling),
 * so many parts that failed together do not all come back at the same instant.
 */
export function backoffDelayMs(attempt: number, random: () => number = Math.random, baseMs = 500, capMs = 60_000): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}

/**
 * How long a request waits before its next attempt. A throttled one starts from a fifth of the
 * usual ceiling and never waits more than a second (100 ms, 200, 400, 800, then 1 s): its own
 * wait is not what lowers the load, since the pacer already spaces every request of the
 * connection, the retry included, at the lowered rate; a long wait on top only leaves a request
 * slot idle and makes one unlucky file the last one of the run. The jitter still spreads a burst
 * of refused requests apart. Every other failure (a server error, a dropped connection) keeps
 * the 500 ms start and the minute's ceiling: there, time is what helps.
 */
export function retryDelayMs(error: unknown, attempt: number, random: () => number = Math.random): number {
  return isThrottled(error) ? backoffDelayMs(attempt, random, THROTTLED_BASE_MS, THROTTLED_CAP_MS) : backoffDelayMs(attempt, random);
}

/**
 * Tries a throttled request gets, as a multiple of the usual limit: a SlowDown is no sign that
 * the request or the path is failing, and giving up hands the whole file back to the queue,
 * which costs more than another try: a wait of a second or more before the file starts again,
 * and for a multipart file the parts in flight beside it are stopped and sent again.
 */
export const THROTTLED_ATTEMPTS_FACTOR = 2;

const THROTTLED_BASE_MS = 100;
const THROTTLED_CAP_MS = 1000;
