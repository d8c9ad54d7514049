import { QuireError } from '../errors';
import type { UploadRow } from '../ledger/schema';
import { fingerprintFile } from './fingerprint';
import { uploadMultipart } from './multipartUpload';
import { uploadSingle } from './singlePut';
import { SourceChangedError } from './sourceFile';
import { CLEARED_ERROR, emitRow, type TransferContext } from './transferContext';

/**
 * Runs one queued row to `verified`, or throws. Before anything is sent the file must still be the
 * one that was queued: a file re-exported since then is uploaded anew (its old partial upload is
 * dropped) and the author is told why.
 */
export async function runUploadJob(row: UploadRow, context: TransferContext): Promise<void> {
  // Hashing a large file takes seconds the author should see; a small one goes straight to
  // `uploading` (one ledger write less per file).
  if (row.method === 'multipart') {
    context.repository.setStatus(row.id, 'preparing', { ...CLEARED_ERROR });
    emitRow(context, row.id);
  }
  const current = await refreshIdentity(row, context);
  if (current.method === 'single') await uploadSingle(current, context);
  else await uploadMultipart(current, context);
}

async function refreshIdentity(row: UploadRow, context: TransferContext): Promise<UploadRow> {
  let identity;
  try {
    identity = await fingerprintFile(row.sourcePath);
  } catch {
    throw new QuireError('file_missing', `${row.sourcePath} is no longer there (moved, renamed or deleted since it was queued). Put it back, or remove it from the queue.`);
  }
  if (identity.fingerprint === row.fingerprint) return row;
  requeueNewVersion(row, identity, context);
  return context.repository.get(row.id) ?? row;
}

/**
 * The file's content is no longer what was hashed or partly sent: forget the old session and
 * take the new size, mtime and fingerprint. Parts of the old version on the server are aborted
 * by the multipart code or, failing that, by the janitor.
 */
export function requeueNewVersion(row: UploadRow, identity: { size: number; mtimeMs: number; fingerprint: string }, context: TransferContext): void {
  const session = context.repository.activeSession(row.id);
  if (session) {
    context.repository.endSession(session.id, 'aborted');
    void context.gateway.abortMultipartUpload(session.objectKey, session.s3UploadId, { uploadId: row.id }).catch(() => {});
  }
  context.repository.update(row.id, {
    size: identity.size,
    mtimeMs: identity.mtimeMs,
    fingerprint: identity.fingerprint,
    method: identity.size > context.settings.multipartThreshold ? 'multipart' : 'single',
    sha256: null,
    bytesDone: 0,
  });
  emitRow(context, row.id, `${row.sourcePath} changed since it was queued: uploading the new version.`);
}

export { SourceChangedError };
