import { errorCodes, type ErrorCode } from '../../../shared/errors';
import type { UploadSummary } from '../../../shared/upload';
import type { UploadRow } from '../ledger/schema';

export function toUploadSummary(row: UploadRow): UploadSummary {
  const code = (errorCodes as readonly string[]).includes(row.errorCode ?? '') ? (row.errorCode as ErrorCode) : 'internal';
  return {
    id: row.id,
    connectionId: row.connectionId,
    sourcePath: row.sourcePath,
    objectKey: row.objectKey,
    category: row.category,
    size: row.size,
    bytesDone: row.bytesDone,
    status: row.status,
    method: row.method,
    visibility: row.visibility,
    sha256: row.sha256,
    etag: row.etag,
    attempts: row.attempts,
    retryAfter: row.retryAfter,
    error: row.errorMessage ? { code, message: row.errorMessage, retryable: row.errorRetryable ?? false } : null,
    createdAt: row.createdAt,
    verifiedAt: row.verifiedAt,
    notice: row.notice,
  };
}
