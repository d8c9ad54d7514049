import type { RequestOutcomeKind } from '../../../shared/analytics';
import type { ErrorCode } from '../../../shared/errors';
import { isAbort, isRetryable, type S3ErrorLike } from '../s3/retryPolicy';

/**
 * Why requests and uploads failed, in the author's words. A failed request's row keeps the error
 * code the gateway saw (the S3 code as the SDK names it, or a Node socket code) and the HTTP
 * status (null: no answer came); what became of it is decided by the same retry policy the
 * gateway used, so "retried" here means what the transfer really did.
 */

/** A failed request as the ledger keeps it (raw or rolled up). */
export interface FailedRequest {
  operation: string;
  errorCode: string;
  httpStatus: number | null;
}

export function outcomeOf(request: FailedRequest): RequestOutcomeKind {
  const error = asError(request);
  if (isAbort(error)) return 'stopped';
  // Before writing under a name (or checking a file), Quire asks whether it is taken: "no" is the common answer.
  if (request.operation === 'head' && (request.httpStatus === 404 || request.errorCode === 'NotFound' || request.errorCode === 'NoSuchKey')) return 'expected';
  // While offline, Quire asks the endpoint now and then whether it answers again; these fail, with no answer, until it does.
  if (request.operation === 'probe' && request.httpStatus === null) return 'expected';
  // A usage scan asks for the server's bucket statistics first: a refusal (Spaces, a Ceph key without the cap) means "list instead".
  if (request.operation === 'bucket_stats' && request.httpStatus !== null && request.httpStatus < 500) return 'expected';
  return isRetryable(error) ? 'retried' : 'refused';
}

function asError({ errorCode, httpStatus }: FailedRequest): S3ErrorLike {
  return { name: errorCode, code: errorCode, ...(httpStatus === null ? {} : { $metadata: { httpStatusCode: httpStatus } }) };
}

const NETWORK = 'Quire tried again; nothing to do unless it happens often (then check the network: Wi-Fi, VPN, proxy).';

/** What a request's error code means; the HTTP status stands in for codes not listed. */
const REQUEST_MEANINGS: Record<string, string> = {
  SlowDown: 'The server asked Quire to slow down (Spaces limits requests per second). Quire slowed every request to this bucket and tried again; nothing to do.',
  TooManyRequests: 'The server asked Quire to slow down. Quire slowed every request to this bucket and tried again; nothing to do.',
  ServiceUnavailable: 'The storage server was briefly unavailable. Quire waited and tried again; nothing to do.',
  InternalError: 'The storage server had an internal error. Quire waited and tried again; nothing to do unless it keeps happening (then ask the provider).',
  RequestTimeout: 'The server stopped waiting for the request to arrive (a slow or stalled connection). Quire sent it again.',
  TimeoutError: `No answer came in time (a stalled connection). ${NETWORK}`,
  NetworkingError: `The connection failed before the server answered. ${NETWORK}`,
  ECONNRESET: `The connection dropped in the middle of a request (a change of network, a proxy). ${NETWORK}`,
  ECONNREFUSED: 'Nothing answered at the endpoint: offline, or the server was restarting. Quire waited for it to come back.',
  ETIMEDOUT: `Connecting to the endpoint timed out. ${NETWORK}`,
  EPIPE: `The connection closed while Quire was sending. ${NETWORK}`,
  ENOTFOUND: 'The endpoint\'s name could not be looked up: usually offline. Quire waited for the network; if it lasts, check the endpoint address of the connection.',
  EAI_AGAIN: 'The endpoint\'s name could not be looked up for now (the network or its DNS). Quire waited and tried again.',
  ENETUNREACH: 'No network path to the endpoint (offline). Quire waited for the network to come back.',
  EHOSTUNREACH: 'No network path to the endpoint (offline). Quire waited for the network to come back.',
  ENETDOWN: 'The network was down. Quire waited for it to come back.',
  UND_ERR_SOCKET: `The connection failed. ${NETWORK}`,
  XAmzContentSHA256Mismatch: 'The bytes arrived at the server damaged (they did not match their checksum). Quire sent them again; if it happens often, something on the network path corrupts data.',
  BadDigest: 'The bytes arrived at the server damaged (they did not match their MD5). Quire sent them again.',
  RequestTimeTooSkewed: 'This computer\'s clock was more than 15 minutes off the server\'s. Turn on automatic date and time.',
  AccessDenied: 'The server refused access: the key may be read-only or limited to other buckets. Give the key write access to this bucket.',
  AllAccessDisabled: 'All access to this bucket is disabled at the provider. Check the bucket in the provider\'s control panel.',
  Forbidden: 'The server refused access (403): check the connection\'s keys and that they may write to this bucket.',
  InvalidAccessKeyId: 'The server does not know the connection\'s access key ID. Check the key ID in the provider\'s control panel.',
  SignatureDoesNotMatch: 'The secret key does not match the access key ID. Enter the secret again (remove and add the connection).',
  NoSuchBucket: 'The bucket does not exist at this endpoint. Check the connection\'s bucket name and region.',
  NoSuchKey: 'The object was not in the bucket.',
  NotFound: 'The object was not in the bucket.',
  NoSuchUpload: 'The server no longer had an unfinished upload (Spaces removes them after some days). Quire started that file afresh.',
  EntityTooLarge: 'The server refused an object or part as too large.',
  EntityTooSmall: 'The server refused a part as too small (parts but the last must be at least 5 MiB).',
  InvalidPart: 'The server did not accept a part when finishing an upload. Quire checks the parts with the server and sends the missing ones again.',
  InvalidPartOrder: 'The server did not accept the list of parts when finishing an upload. Quire checks the parts with the server again.',
  QuotaExceeded: 'The bucket or account is over its quota at the provider. Free some space or raise the quota.',
  AbortError: 'Stopped on purpose: a pause, a cancel or Quire quitting. Nothing went wrong.',
  RequestAbortedError: 'Stopped on purpose: a pause, a cancel or Quire quitting. Nothing went wrong.',
};

/** What a failed request means, for the table of reasons. */
export function requestMeaning(request: FailedRequest, kind: RequestOutcomeKind): string {
  if (request.operation === 'probe' && kind === 'expected' && request.httpStatus === null) return 'Quire checked whether the storage server answered again while it was offline; these fail until the network is back.';
  if (request.operation === 'bucket_stats' && kind === 'expected') return 'A usage scan asked the server for its own count of the bucket (Ceph offers one to keys allowed to read it; Spaces does not); it was not offered, so Quire counted by listing. Nothing to do.';
  if (kind === 'expected') return 'Quire checked whether a name was taken in the bucket (before writing under it, or to compare a file) and found it free.';
  const known = REQUEST_MEANINGS[request.errorCode];
  if (known) return known;
  const status = request.httpStatus;
  if (status === null) return `The request failed without an answer from the server. ${kind === 'retried' ? NETWORK : 'Check the network and the endpoint address.'}`;
  if (status === 429) return REQUEST_MEANINGS.TooManyRequests!;
  if (status >= 500) return `The storage server answered with an error (HTTP ${status}). Quire waited and tried again; nothing to do unless it keeps happening.`;
  if (status === 403) return REQUEST_MEANINGS.Forbidden!;
  if (status === 404) return 'The server did not find what was asked for (HTTP 404).';
  return `The server refused the request (HTTP ${status}); trying again would not change that.`;
}

/** What the author can do about an upload that failed, by the engine's error code (src/shared/errors.ts). */
const UPLOAD_ADVICE: Record<ErrorCode, string> = {
  usage: 'The upload was asked for in a way Quire cannot do; queue the file again.',
  file_missing: 'The file was moved or deleted before it went up. Put it back, or queue it from where it is now.',
  file_unreadable: 'Quire may not read the file. Check its permissions (or that its drive is connected), then retry it.',
  file_changed: 'The file kept changing while Quire sent it. Retry it once nothing writes to it any more.',
  file_too_large: 'The file is larger than the connection allows. Raise the connection\'s size limit, or split the file.',
  file_type_not_allowed: 'The connection does not accept this type of file. Add the type to its allowed types, or convert the file.',
  invalid_name: 'The file\'s name cannot be a key in the bucket. Rename it, then queue it again.',
  disk_full: 'The disk is full. Free some space, then retry.',
  ledger_unwritable: 'Quire could not write its records (a full disk or a read-only folder). Free space or fix the folder, then retry.',
  endpoint_unreachable: 'The storage server could not be reached for too long. Check the network and the endpoint address, then retry.',
  invalid_access_key: 'The server does not know the access key ID. Check the key in the provider\'s control panel and add the connection again.',
  signature_mismatch: 'The secret key does not match the key ID. Enter the secret again (remove and add the connection), then retry.',
  no_such_bucket: 'The bucket does not exist at that endpoint. Check the connection\'s bucket name and region.',
  access_denied: 'The server refused access. Give the key write access to this bucket, then retry.',
  clock_skew: 'This computer\'s clock is off. Turn on automatic date and time, then retry.',
  keychain_unavailable: 'The system keychain was locked or unavailable. Unlock it, then retry.',
  secret_missing: 'The connection\'s secret key is no longer in the keychain. Add the connection again with its secret, then retry.',
  connection_exists: 'A connection of that name already exists; choose another name.',
  connection_not_found: 'The connection these files were queued for was removed. Queue them again with another connection.',
  object_not_found: 'The object was not found in the bucket when Quire checked it. Retry the upload.',
  verification_failed: 'The bucket did not hold exactly what was sent. Retry the upload; if it happens again, check for a proxy that alters files.',
  ledger_locked: 'Another Quire was using the same data folder. Retry from the Quire that is running.',
  staging_incomplete: 'The file did not finish copying from the browser. Drop it again.',
  image_invalid: 'The image could not be read (damaged, or not really an image). Open and re-save it, or upload it as it is.',
  image_too_large: 'The image is too large to prepare for the web. Make it smaller, or upload it as it is.',
  image_unsupported: 'Quire cannot prepare this kind of image for the web. Upload it as it is.',
  upload_not_found: 'The upload was no longer in the queue.',
  s3_error: 'The storage server refused the upload; the message says why. Retry it; if it fails again, check the connection with: quire connect test.',
  internal: 'Something went wrong inside Quire; the message says what. Retry the upload.',
};

export function uploadAdvice(errorCode: string): string {
  return (UPLOAD_ADVICE as Record<string, string | undefined>)[errorCode] ?? 'Retry the upload; the message says what went wrong.';
}
