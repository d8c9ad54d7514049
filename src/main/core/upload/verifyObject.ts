import { QuireError } from '../errors';
import type { UploadRow } from '../ledger/schema';
import { jobRequest, type TransferContext, type Verified } from './transferContext';

/**
 * The last step of every upload: the object the server now holds must have the file's size and
 * the ETag expected from the parts the server accepted (or, when no ETag was seen, the file's
 * SHA-256 in its metadata). Only then is the upload "verified", and only then does the UI say done.
 */
export async function verifyObject(row: UploadRow, key: string, expected: { etag: string } | { sha256: string }, context: TransferContext, notice?: string, sha256?: string): Promise<Verified> {
  context.repository.move(row.id, 'completing', { objectKey: key });
  context.changed(row.id);
  const head = await jobRequest(context, () => context.gateway.headObject(key, { uploadId: row.id, signal: context.signal }));
  if (!head) {
    throw new QuireError('verification_failed', `${row.sourcePath}: the server reported the upload complete, but ${key} is not in the bucket. It will be uploaded again.`, { retryable: true });
  }
  const matches = 'etag' in expected ? head.etag === expected.etag : head.sha256 === expected.sha256;
  if (head.size !== row.size || !matches) {
    const what = 'etag' in expected ? `ETag ${head.etag} vs ${expected.etag}` : `SHA-256 ${head.sha256 ?? 'none'} vs ${expected.sha256}`;
    throw new QuireError(
      'verification_failed',
      `${row.sourcePath}: the bucket's ${key} does not match the file (size ${head.size} vs ${row.size}, ${what}). It was not marked done; upload it again.`,
    );
  }
  return { key, etag: head.etag, sha256: sha256 ?? null, notice };
}
