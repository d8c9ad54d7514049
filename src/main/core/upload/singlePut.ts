import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { UploadRow } from '../ledger/schema';
import { chooseKey } from './conflicts';
import { SourceChangedError } from './sourceFile';
import { CLEARED_ERROR, emitRow, jobRequest, type TransferContext } from './transferContext';
import { markVerified, verifyObject } from './verifyObject';

/**
 * Files up to the multipart threshold (10 MiB) go in one PutObject: the whole file is one buffer,
 * hashed once for both its SHA-256 and the Content-MD5 the server checks.
 *
 * A new name (the common case) costs one request: the PUT says `If-None-Match: *`, so the server
 * itself refuses to replace an existing object, and only then is the key looked at (same file:
 * nothing to send; another file: keep both). The PUT's answer carries the ETag the server
 * computed over the bytes it stored; equal to the local MD5, it verifies the object.
 */
export async function uploadSingle(row: UploadRow, context: TransferContext): Promise<void> {
  const body = await readFile(row.sourcePath).catch(() => {
    throw new SourceChangedError(row.sourcePath, true);
  });
  if (body.length !== row.size) throw new SourceChangedError(row.sourcePath, false);
  const sha256 = createHash('sha256').update(body).digest('hex');
  const md5 = createHash('md5').update(body).digest();
  const md5Hex = md5.toString('hex');
  context.repository.setStatus(row.id, 'uploading', { sha256, ...CLEARED_ERROR });
  emitRow(context, row.id);

  const put = (key: string, ifNoneMatch: boolean) =>
    jobRequest(context, row, () =>
      context.gateway.putObject(key, body, md5.toString('base64'), { contentType: row.contentType, visibility: row.visibility, sha256 }, { uploadId: row.id, signal: context.signal, ifNoneMatch }),
    );

  const overwrite = row.onConflict === 'overwrite';
  let key = row.objectKey;
  let etag = await put(key, !overwrite).catch((error) => {
    if (!isKeyTaken(error)) throw error;
    return null;
  });
  if (etag === null) {
    const choice = await chooseKey(row, sha256, context);
    if (choice.identical) {
      await verifyObject(row, choice.key, md5Hex, context, 'already in the bucket, identical: not sent again');
      return;
    }
    key = choice.key;
    etag = await put(key, true);
  }
  if (etag === md5Hex) {
    markVerified(row, key, etag, context);
    return;
  }
  // No ETag in the answer (some proxies strip it), or an unexpected one: ask the bucket.
  await verifyObject(row, key, md5Hex, context);
}

/** 412: `If-None-Match: *` met an object already at the key. */
function isKeyTaken(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'PreconditionFailed' || e.$metadata?.httpStatusCode === 412;
}
