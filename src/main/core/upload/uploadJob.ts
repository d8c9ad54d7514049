import { QuireError } from '../errors';
import type { UploadRow } from '../ledger/schema';
import { fingerprintFile, type FileIdentity } from './fingerprint';
import { uploadMultipart } from './multipartUpload';
import { readSmallFile, uploadSingle } from './singlePut';
import { SourceChangedError } from './sourceFile';
import { CLEARED_ERROR, type TransferContext, type Verified } from './transferContext';

/**
 * Runs one queued row until the bucket holds exactly the file (the queue writes `verified`), or
 * throws. Before anything is sent the file must still be the one that was queued. One that changed
 * since is not sent now: the queue takes its new version (dropping any partial upload of the old
 * one), tells the author, and sends it once the file has been left alone for a moment (see
 * SOURCE_QUIET_MS).
 */
export async function runUploadJob(row: UploadRow, context: TransferContext): Promise<Verified> {
  const wholeFileLimit = context.settings.multipartThreshold;
  if (row.method === 'single') {
    // A small file is read whole anyway: it is checked against the row from that very read, and
    // those bytes are what gets sent and checked by the server.
    const file = await readSmallFile(row.sourcePath, wholeFileLimit).catch(() => {
      throw missingSince(row);
    });
    if (file && file.content.length === row.size && Math.trunc(file.mtimeMs) === row.mtimeMs) return uploadSingle(row, file.content, context);
    // Changed in any way that shows, or grown past the multipart threshold.
    throw new SourceChangedError(row.sourcePath, false);
  }
  // Hashing a large file takes seconds the author should see.
  context.repository.move(row.id, 'preparing', { ...CLEARED_ERROR });
  context.changed(row.id);
  let identity;
  try {
    identity = await fingerprintFile(row.sourcePath, wholeFileLimit);
  } catch {
    throw missingSince(row);
  }
  if (identity.fingerprint !== row.fingerprint) throw new SourceChangedError(row.sourcePath, false);
  return uploadMultipart(row, context);
}

function missingSince(row: UploadRow): QuireError {
  return new QuireError('file_missing', `${row.sourcePath} is no longer there (moved, renamed or deleted since it was queued). Put it back, or remove it from the queue.`);
}

/**
 * The file's content is no longer what was hashed or partly sent: forget the old session and
 * take the new size, mtime and fingerprint. Parts of the old version on the server are aborted
 * here or, failing that, by the janitor.
 */
export function requeueNewVersion(row: UploadRow, identity: FileIdentity, context: Pick<TransferContext, 'repository' | 'gateway' | 'settings'>): void {
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
}

export { SourceChangedError };
