import type { ErrorCode } from '../../../shared/errors';
import { QuireError } from '../errors';
import { NETWORK_ERROR_CODES, httpStatusOf, isNetworkError, isRetryable, type S3ErrorLike } from './retryPolicy';

/**
 * Turns what the SDK threw into a message an author can act on. `subject` names what was being
 * done ("connection \"my-space\"", "chapter-03.wav"), so the message says which file or
 * connection failed, not just how.
 */
export function classifyS3Error(error: unknown, subject: string, context: { endpoint?: string; bucket?: string } = {}): QuireError {
  if (error instanceof QuireError) return error;
  const e = (error ?? {}) as S3ErrorLike & { message?: string };
  const status = httpStatusOf(error);
  const retryable = isRetryable(error);
  const make = (code: ErrorCode, message: string) => new QuireError(code, `${subject}: ${message}`, { retryable, cause: error });

  switch (e.name) {
    case 'InvalidAccessKeyId':
      return make('invalid_access_key', 'the access key ID is not known to the server. Check the key ID (it is shown next to the key in your provider\'s control panel).');
    case 'SignatureDoesNotMatch':
      return make('signature_mismatch', 'the secret access key does not match the access key ID. Paste the secret again; it is shown only once, when the key is created.');
    case 'NoSuchBucket':
      return make('no_such_bucket', `the bucket${context.bucket ? ` "${context.bucket}"` : ''} does not exist at this endpoint. Check its name and region, or create it in your provider's control panel.`);
    case 'AccessDenied':
    case 'AllAccessDisabled':
      return make('access_denied', 'the server refused access. The key may be read-only or limited to other buckets; give it write access to this bucket.');
    case 'XAmzContentSHA256Mismatch':
      return make('s3_error', 'the file\'s bytes kept arriving damaged at the server (they did not match their signature). Something on the network path is corrupting data; the upload is tried again.');
    case 'RequestTimeTooSkewed':
      return make('clock_skew', 'this computer\'s clock differs from the server\'s by more than 15 minutes. Turn on automatic date and time, then try again.');
    case 'NoSuchKey':
    case 'NotFound':
      return make('object_not_found', 'no such object in the bucket.');
    default:
      break;
  }
  if (isNetworkError(error)) {
    const how = e.code && NETWORK_ERROR_CODES.has(e.code) ? e.code : (e.name ?? 'no answer');
    return make('endpoint_unreachable', `cannot reach ${context.endpoint ?? 'the storage endpoint'} (${how}). Check the endpoint address and your internet connection.`);
  }
  if (status === 403) return make('access_denied', 'the server refused access (403). Check the keys and that they may write to this bucket.');
  if (status === 404) return make('object_not_found', 'not found (404).');
  return make('s3_error', `the storage server answered ${e.name ?? 'an error'}${status ? ` (HTTP ${status})` : ''}: ${e.message ?? 'no details'}.`);
}
