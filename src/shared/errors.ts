/** Stable error codes: hosts and the UI branch on these, never on message text. */
export const errorCodes = [
  'usage',
  'file_missing',
  'file_unreadable',
  'file_changed',
  'file_too_large',
  'file_type_not_allowed',
  'invalid_name',
  'disk_full',
  'ledger_unwritable',
  'endpoint_unreachable',
  'invalid_access_key',
  'signature_mismatch',
  'no_such_bucket',
  'access_denied',
  'clock_skew',
  'keychain_unavailable',
  'secret_missing',
  'connection_exists',
  'connection_not_found',
  'object_not_found',
  'verification_failed',
  'ledger_locked',
  'staging_incomplete',
  'image_invalid',
  'image_too_large',
  'image_unsupported',
  'upload_not_found',
  's3_error',
  'internal',
] as const;

export type ErrorCode = (typeof errorCodes)[number];

export interface ErrorData {
  code: ErrorCode;
  message: string;
  retryable: boolean;
}
