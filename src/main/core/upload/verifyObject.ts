import { QuireError } from '../errors';
import type { UploadRow } from '../ledger/schema';
import { emitRow, jobRequest, type TransferContext } from './transferContext';

/**
 * The last step of every upload: the object the server now holds must have the file's size and
 * the ETag computed locally from the bytes that were hashed. Only then is the upload "verified",
 * and only then does the UI say done.
 */
export async function verifyObject(row: UploadRow, key: string, expectedEtag: string, context: TransferContext, notice?: string): Promise<void> {
  context.repository.setStatus(row.id, 'completing', { objectKey: key });
  const head = await jobRequest(context, row, () => context.gateway.headObject(key, { uploadId: row.id, signal: context.signal }));
  if (!head) {
    throw new QuireError('verification_failed', `${row.sourcePath}: the server reported the upload complete, but ${key} is not in the bucket. It will be uploaded again.`, { retryable: true });
  }
  if (head.size !== row.size || head.etag !== expectedEtag) {
    throw new QuireError(
      'verification_failed',
      `${row.sourcePath}: the bucket's ${key} does not match the file (size ${head.size} vs ${row.size}, ETag ${head.etag} vs ${expectedEtag}). It was not marked done; upload it again.`,
    );
  }
  markVerified(row, key, head.etag, context, notice);
}

/** The bucket holds exactly the file: the row says so, and only now does the UI say done. */
export function markVerified(row: UploadRow, key: string, etag: string, context: TransferContext, notice?: string): void {
  context.repository.setStatus(row.id, 'verified', {
    objectKey: key,
    etag,
    bytesDone: row.size,
    verifiedAt: Date.now(),
    retryAfter: null,
    errorCode: null,
    errorMessage: null,
    errorRetryable: null,
  });
  emitRow(context, row.id, notice);
}
