import { createHash } from 'node:crypto';
import { close, fstat, open, read } from 'node:fs';
import { promisify } from 'node:util';
import type { UploadRow } from '../ledger/schema';
import { httpStatusOf } from '../s3/retryPolicy';
import { chooseKey } from './conflicts';
import { SourceChangedError } from './sourceFile';
import { objectMetadataOf } from './objectMetadata';
import { jobRequest, type TransferContext, type Verified } from './transferContext';
import { verifyObject } from './verifyObject';

/**
 * Files up to the multipart threshold (10 MiB) go in one PutObject: the whole file is one buffer,
 * hashed once for its SHA-256, which is both the object's x-amz-meta-sha256 and the payload
 * signature the server checks the bytes against before it stores them.
 *
 * A new name (the common case) costs one request: the PUT says `If-None-Match: *`, so the server
 * itself refuses to replace an existing object, and only then is the key looked at (same file:
 * nothing to send; another file: keep both). Accepted, the object holds exactly the bytes read.
 */
export async function uploadSingle(row: UploadRow, body: Buffer, context: TransferContext): Promise<Verified> {
  if (body.length !== row.size) throw new SourceChangedError(row.sourcePath, false);
  const sha256 = createHash('sha256').update(body).digest('hex');
  // Written before it is said: what the UI hears is what the ledger holds.
  context.repository.markUploading(row.id);
  context.changed(row.id);

  const put = (key: string, ifNoneMatch: boolean) =>
    jobRequest(context, () =>
      context.gateway.putObject(key, body, { contentType: row.contentType, visibility: row.visibility, sha256, metadata: objectMetadataOf(row) }, { uploadId: row.id, signal: context.signal, ifNoneMatch }),
    );

  const overwrite = row.onConflict === 'overwrite';
  let key = row.objectKey;
  let etag = await put(key, !overwrite).catch((error) => {
    if (!isKeyTaken(error)) throw error;
    return null;
  });
  if (etag === null) {
    const choice = await chooseKey(row, sha256, context);
    if (choice.identical) return verifyObject(row, choice.key, { etag: choice.identical.etag }, context, 'already in the bucket, identical: not sent again', sha256);
    key = choice.key;
    etag = await put(key, true);
  }
  // The server checked the bytes against their SHA-256 before it stored them.
  if (etag) return { key, etag, sha256 };
  // No ETag in the answer (some proxies strip it): the bucket's copy is looked at instead.
  return verifyObject(row, key, { sha256 }, context, undefined, sha256);
}

/**
 * A small file's bytes and the mtime they were read at, through one open file (four calls, not
 * eight). Null when the file has grown past `limit` since it was queued: it is not read whole.
 * Plain descriptors rather than a FileHandle: for a thousand covers, FileHandle's bookkeeping
 * cost more CPU than the reads.
 */
export async function readSmallFile(path: string, limit: number): Promise<{ content: Buffer; mtimeMs: number } | null> {
  const fd = await openFile(path, 'r');
  try {
    const info = await fstatFile(fd);
    if (info.size > limit) return null;
    const content = Buffer.allocUnsafe(info.size);
    for (let done = 0; done < info.size; ) {
      const { bytesRead } = await readFile(fd, content, done, info.size - done, done);
      if (bytesRead === 0) return { content: content.subarray(0, done), mtimeMs: info.mtimeMs };
      done += bytesRead;
    }
    return { content, mtimeMs: info.mtimeMs };
  } finally {
    await closeFile(fd);
  }
}

const openFile = promisify(open);
const fstatFile = promisify(fstat);
const readFile = promisify(read);
const closeFile = promisify(close);

/** 412: `If-None-Match: *` met an object already at the key. */
function isKeyTaken(error: unknown): boolean {
  return (error as { name?: string }).name === 'PreconditionFailed' || httpStatusOf(error) === 412;
}
