import { QuireError } from '../errors';
import type { UploadRow } from '../ledger/schema';
import { fingerprintFile, identityOfSmallFile, type FileIdentity } from './fingerprint';
import { uploadMultipart } from './multipartUpload';
import { readSmallFile, uploadSingle } from './singlePut';
import { SourceChangedError } from './sourceFile';
import { CLEARED_ERROR, emitRow, type TransferContext } from './transferContext';

/**
 * Runs one queued row to `verified`, or throws. Before anything is sent the file must still be the
 * one that was queued: a file re-exported since then is uploaded anew (its old partial upload is
 * dropped) and the author is told why.
 */
export async function runUploadJob(row: UploadRow, context: TransferContext): Promise<void> {
  const wholeFileLimit = context.settings.multipartThreshold;
  let current = row;
  if (row.method === 'single') {
    // A small file is read whole anyway: its identity is checked from that very read.
    const file = await readOrMissing(row, wholeFileLimit);
    if (file) {
      // Same size and mtime: these bytes are what gets sent and checked. A file changed in any
      // way that shows is queued anew as its new version, and the author is told.
      const unchanged = file.content.length === row.size && Math.trunc(file.mtimeMs) === row.mtimeMs;
      if (!unchanged) current = sameOrRequeued(row, identityOfSmallFile(file.content.length, file.mtimeMs), context);
      return uploadSingle(current, file.content, context);
    }
    // It grew past the multipart threshold since it was queued: a large file now.
  }
  // Hashing a large file takes seconds the author should see.
  context.repository.setStatus(current.id, 'preparing', { ...CLEARED_ERROR });
  emitRow(context, current.id);
  current = await refreshIdentity(current, context);
  if (current.method === 'multipart') return uploadMultipart(current, context);
  // It shrank below the multipart threshold since it was queued.
  const file = await readOrMissing(current, wholeFileLimit);
  if (!file) throw new SourceChangedError(current.sourcePath, false);
  return uploadSingle(current, file.content, context);
}

function readOrMissing(row: UploadRow, wholeFileLimit: number): ReturnType<typeof readSmallFile> {
  return readSmallFile(row.sourcePath, wholeFileLimit).catch(() => {
    throw missingSince(row);
  });
}

async function refreshIdentity(row: UploadRow, context: TransferContext): Promise<UploadRow> {
  let identity;
  try {
    identity = await fingerprintFile(row.sourcePath, context.settings.multipartThreshold);
  } catch {
    throw missingSince(row);
  }
  return sameOrRequeued(row, identity, context);
}

function missingSince(row: UploadRow): QuireError {
  return new QuireError('file_missing', `${row.sourcePath} is no longer there (moved, renamed or deleted since it was queued). Put it back, or remove it from the queue.`);
}

/** The row as it stands for the file's current identity: unchanged, or re-queued as its new version. */
function sameOrRequeued(row: UploadRow, identity: FileIdentity, context: TransferContext): UploadRow {
  if (identity.fingerprint === row.fingerprint) return row;
  requeueNewVersion(row, identity, context);
  return context.repository.get(row.id) ?? row;
}

/**
 * The file's content is no longer what was hashed or partly sent: forget the old session and
 * take the new size, mtime and fingerprint. Parts of the old version on the server are aborted
 * by the multipart code or, failing that, by the janitor.
 */
export function requeueNewVersion(row: UploadRow, identity: FileIdentity, context: TransferContext): void {
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
