import { randomUUID } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import type { MultipartSessionRow, UploadRow } from '../ledger/schema';
import { QuireError } from '../errors';
import { chooseKey } from './conflicts';
import { FileShrankError, expectedMultipartEtag, hashFile, hexToBase64 } from './fileHashes';
import { choosePartSize, partCount, partRange } from './partPlan';
import { SourceChangedError, assertSourceUnchanged } from './sourceFile';
import { emitRow, jobRequest, type TransferContext } from './transferContext';
import { verifyObject } from './verifyObject';
import { withRetries } from './withRetries';

interface Plan {
  session: MultipartSessionRow;
  partMd5s: string[];
}

/**
 * A file larger than the threshold, in parts, resumable at any point: the UploadId is in the
 * ledger before the first part is sent, each part once its ETag arrives, and on resume the
 * server's ListParts decides what is really there.
 */
export async function uploadMultipart(row: UploadRow, context: TransferContext): Promise<void> {
  const plan = (await resumeSession(row, context)) ?? (await startSession(row, context));
  if (!plan) return; // Already complete on the server: verified without sending anything.
  const { session, partMd5s } = plan;
  try {
    await sendMissingParts(row, session, partMd5s, context);
    context.repository.setStatus(row.id, 'completing');
    emitRow(context, row.id);
    await assertSourceUnchanged(row);
    const parts = context.repository.parts(session.id);
    if (parts.length !== session.partCount) throw new QuireError('internal', `${row.sourcePath}: ${parts.length} of ${session.partCount} parts recorded before completing.`, { retryable: true });
    await jobRequest(context, row, () =>
      context.gateway.completeMultipartUpload(session.objectKey, session.s3UploadId, parts.map((part) => ({ partNumber: part.partNumber, etag: part.etag })), { uploadId: row.id, signal: context.signal }),
    );
    context.repository.endSession(session.id, 'completed');
  } catch (error) {
    if (error instanceof SourceChangedError) await abandonSession(row, session, context);
    throw error;
  }
  await verifyObject(row, session.objectKey, expectedMultipartEtag(partMd5s), context);
}

/** Picks up a recorded session, reconciled with the server. Null when there is none to resume. */
async function resumeSession(row: UploadRow, context: TransferContext): Promise<Plan | null | undefined> {
  const session = context.repository.activeSession(row.id);
  if (!session) return null;
  const partMd5s = JSON.parse(session.partMd5s) as string[];
  let remoteParts;
  try {
    remoteParts = await jobRequest(context, row, () => context.gateway.listParts(session.objectKey, session.s3UploadId, { uploadId: row.id, signal: context.signal }));
  } catch (error) {
    // The server no longer knows the UploadId (Spaces drops unfinished uploads after 30 days;
    // radosgw answers 404 NoSuchKey rather than NoSuchUpload). Either Complete went through
    // just before a crash, or the upload is gone and starts afresh.
    if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode !== 404) throw error;
    const expected = expectedMultipartEtag(partMd5s);
    const head = await jobRequest(context, row, () => context.gateway.headObject(session.objectKey, { uploadId: row.id, signal: context.signal }));
    if (head && head.etag === expected && head.size === row.size) {
      context.repository.endSession(session.id, 'completed');
      await verifyObject(row, session.objectKey, expected, context, 'completed before Quire stopped: verified without sending again');
      return undefined;
    }
    context.repository.endSession(session.id, 'aborted');
    return null;
  }
  // The server is the truth: a part recorded locally but not listed is sent again, and a part
  // the server has but the ledger missed (a crash between the two) is adopted if it is ours.
  const local = new Map(context.repository.parts(session.id).map((part) => [part.partNumber, part]));
  const remote = new Map(remoteParts.map((part) => [part.partNumber, part]));
  context.repository.dropParts(
    session.id,
    [...local.values()].filter((part) => remote.get(part.partNumber)?.etag !== part.etag).map((part) => part.partNumber),
  );
  for (const part of remote.values()) {
    const md5 = partMd5s[part.partNumber - 1];
    const expectedSize = partRange(row.size, session.partSize, part.partNumber).length;
    if (!local.has(part.partNumber) && md5 && part.etag === md5 && part.size === expectedSize) {
      context.repository.recordPart({ sessionId: session.id, partNumber: part.partNumber, etag: part.etag, size: part.size, md5, uploadedAt: Date.now() });
    }
  }
  return { session, partMd5s };
}

async function startSession(row: UploadRow, context: TransferContext): Promise<Plan | undefined> {
  const partSize = choosePartSize(row.size, context.settings.partSize);
  let hashes;
  try {
    hashes = await hashFile(row.sourcePath, row.size, partSize, context.signal);
  } catch (error) {
    if (error instanceof FileShrankError) throw new SourceChangedError(row.sourcePath, false);
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new SourceChangedError(row.sourcePath, true);
    throw error;
  }
  await assertSourceUnchanged(row);
  context.repository.update(row.id, { sha256: hashes.sha256 });
  const choice = await chooseKey(row, hashes.sha256, context);
  const expected = expectedMultipartEtag(hashes.partMd5s);
  if (choice.identical) {
    await verifyObject(row, choice.key, choice.identical.etag === expected ? expected : choice.identical.etag, context, 'already in the bucket, identical: not sent again');
    return undefined;
  }
  const s3UploadId = await jobRequest(context, row, () =>
    context.gateway.createMultipartUpload(choice.key, { contentType: row.contentType, visibility: row.visibility, sha256: hashes.sha256 }, { uploadId: row.id, signal: context.signal }),
  );
  const session: MultipartSessionRow = {
    id: randomUUID(),
    uploadId: row.id,
    s3UploadId,
    objectKey: choice.key,
    partSize,
    partCount: partCount(row.size, partSize),
    partMd5s: JSON.stringify(hashes.partMd5s),
    status: 'active',
    createdAt: Date.now(),
    endedAt: null,
  };
  // Recorded before the first part: from here on a crash can always resume this upload.
  context.repository.insertSession(session);
  return { session, partMd5s: hashes.partMd5s };
}

async function sendMissingParts(row: UploadRow, session: MultipartSessionRow, partMd5s: string[], context: TransferContext): Promise<void> {
  const done = context.repository.parts(session.id);
  const doneNumbers = new Set(done.map((part) => part.partNumber));
  const missing: number[] = [];
  for (let n = 1; n <= session.partCount; n += 1) if (!doneNumbers.has(n)) missing.push(n);
  let bytesDone = done.reduce((sum, part) => sum + part.size, 0);
  context.repository.setStatus(row.id, 'uploading', { bytesDone, objectKey: session.objectKey });
  // Seeing where it picked up is what tells the author an interrupted upload was safe.
  const resumedAt = done.length > 0 ? `resumed at ${Math.floor((bytesDone / row.size) * 100)}%: ${done.length} of ${session.partCount} parts were already in the bucket` : undefined;
  emitRow(context, row.id, resumedAt);
  if (missing.length === 0) return;

  const handle = await open(row.sourcePath, 'r').catch(() => {
    throw new SourceChangedError(row.sourcePath, true);
  });
  // Memory is part size x parts in flight, whatever the file size.
  const workers = Math.max(1, Math.min(context.settings.partsPerObject, Math.floor(context.settings.maxBufferBytesPerFile / session.partSize), missing.length));
  const failure = new AbortController();
  const signal = AbortSignal.any([context.signal, failure.signal]);
  let next = 0;
  const worker = async (): Promise<void> => {
    const buffer = Buffer.allocUnsafe(session.partSize);
    while (next < missing.length && !signal.aborted) {
      const partNumber = missing[next++]!;
      const { length } = await sendPart(row, session, partNumber, partMd5s, handle, buffer, context, signal);
      bytesDone += length;
      context.repository.update(row.id, { bytesDone });
      emitRow(context, row.id);
    }
  };
  try {
    await Promise.all(
      Array.from({ length: workers }, () =>
        worker().catch((error) => {
          // One part failing for good stops the others at once instead of after their retries.
          failure.abort(error);
          throw error;
        }),
      ),
    );
  } finally {
    await handle.close();
  }
}

async function sendPart(
  row: UploadRow,
  session: MultipartSessionRow,
  partNumber: number,
  partMd5s: string[],
  handle: FileHandle,
  buffer: Buffer,
  context: TransferContext,
  signal: AbortSignal,
): Promise<{ length: number }> {
  const { offset, length } = partRange(row.size, session.partSize, partNumber);
  const md5 = partMd5s[partNumber - 1]!;
  const body = buffer.subarray(0, length);
  // The slot in the global budget is taken before the part is read, so buffers waiting for a
  // slot do not pile up in memory.
  const release = await context.requests.acquire();
  try {
    await assertSourceUnchanged(row);
    const { bytesRead } = await handle.read(body, 0, length, offset);
    if (bytesRead !== length) throw new SourceChangedError(row.sourcePath, false);
    const etag = await withRetries(
      () => context.gateway.uploadPart(session.objectKey, session.s3UploadId, partNumber, body, hexToBase64(md5), { uploadId: row.id, signal }),
      { maxAttempts: context.settings.maxAttempts, signal, onRetry: () => context.repository.countAttempt(row.id) },
    ).catch((error) => {
      // The bytes read now differ from those hashed when the upload began.
      if ((error as { name?: string }).name === 'BadDigest') throw new SourceChangedError(row.sourcePath, false);
      throw error;
    });
    context.repository.recordPart({ sessionId: session.id, partNumber, etag: etag || md5, size: length, md5, uploadedAt: Date.now() });
  } finally {
    release();
  }
  return { length };
}

/** The parts on the server belong to a version of the file that no longer exists. */
async function abandonSession(row: UploadRow, session: MultipartSessionRow, context: TransferContext): Promise<void> {
  context.repository.endSession(session.id, 'aborted');
  await context.gateway.abortMultipartUpload(session.objectKey, session.s3UploadId, { uploadId: row.id }).catch(() => {
    // Best effort: the janitor aborts uploads the ledger no longer owns.
  });
}
