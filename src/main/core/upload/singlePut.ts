import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { UploadRow } from '../ledger/schema';
import { chooseKey } from './conflicts';
import { SourceChangedError } from './sourceFile';
import { emitRow, jobRequest, type TransferContext } from './transferContext';
import { verifyObject } from './verifyObject';

/**
 * Files up to the multipart threshold (10 MiB) go in one PutObject: the whole file is one buffer,
 * hashed once for both its SHA-256 and the Content-MD5 the server checks.
 */
export async function uploadSingle(row: UploadRow, context: TransferContext): Promise<void> {
  const body = await readFile(row.sourcePath).catch(() => {
    throw new SourceChangedError(row.sourcePath, true);
  });
  if (body.length !== row.size) throw new SourceChangedError(row.sourcePath, false);
  const sha256 = createHash('sha256').update(body).digest('hex');
  const md5 = createHash('md5').update(body).digest();
  context.repository.update(row.id, { sha256 });

  const choice = await chooseKey(row, sha256, context);
  if (choice.identical) {
    await verifyObject(row, choice.key, md5.toString('hex'), context, 'already in the bucket, identical: not sent again');
    return;
  }
  context.repository.setStatus(row.id, 'uploading', { objectKey: choice.key });
  emitRow(context, row.id);
  await jobRequest(context, row, () =>
    context.gateway.putObject(choice.key, body, md5.toString('base64'), { contentType: row.contentType, visibility: row.visibility, sha256 }, { uploadId: row.id, signal: context.signal }),
  );
  context.repository.update(row.id, { bytesDone: row.size });
  await verifyObject(row, choice.key, md5.toString('hex'), context);
}
