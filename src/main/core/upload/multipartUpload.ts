import { randomUUID } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import type { MultipartSessionRow, UploadRow } from '../ledger/schema';
import { QuireError } from '../errors';
import { chooseKey } from './conflicts';
import { FileShrankError, READ_BUFFER_SIZE, expectedMultipartEtag, md5OfRange, sha256OfFile } from './fileHashes';
import { choosePartSize, partCount, partRange } from './partPlan';
import { objectMetadataOf } from './objectMetadata';
import { SourceChangedError, assertSourceUnchanged } from './sourceFile';
import { httpStatusOf } from '../s3/retryPolicy';
import { jobRequest, type TransferContext, type Verified } from './transferContext';
import { verifyObject } from './verifyObject';
import { withRetries } from '../s3/withRetries';

/**
 * A file larger than the threshold, in parts, resumable at any point: the UploadId is in the
 * ledger before the first part is sent, each part (with its MD5, the ETag the server computed
 * over bytes it checked against their signatures) once it is accepted, and on resume the
 * server's ListParts decides what is really there.
 */
export async function uploadMultipart(row: UploadRow, context: TransferContext): Promise<Verified> {
  const resumed = await resumeSession(row, context);
  // Already complete on the server: verified without sending anything.
  if (resumed && 'etag' in resumed) return resumed;
  const session = resumed ?? (await startSession(row, context));
  if ('etag' in session) return session;
  try {
    await sendMissingParts(row, session, context);
    context.repository.move(row.id, 'completing');
    context.changed(row.id);
    await assertSourceUnchanged(row);
    const parts = context.repository.parts(session.id);
    if (parts.length !== session.partCount) throw new QuireError('internal', `${row.sourcePath}: ${parts.length} of ${session.partCount} parts recorded before completing.`, { retryable: true });
    await jobRequest(context, () =>
      context.gateway.completeMultipartUpload(session.objectKey, session.s3UploadId, parts.map((part) => ({ partNumber: part.partNumber, etag: part.etag })), { uploadId: row.id, signal: context.signal }),
    );
    context.repository.endSession(session.id, 'completed');
    return await verifyObject(row, session.objectKey, { etag: expectedMultipartEtag(parts.map((part) => part.md5)) }, context);
  } catch (error) {
    if (error instanceof SourceChangedError) await abandonSession(row, session, context);
    throw error;
  }
}

/**
 * Picks up a recorded session, reconciled with the server. Null when there is none to resume;
 * Verified when the server already holds the finished object.
 */
async function resumeSession(row: UploadRow, context: TransferContext): Promise<MultipartSessionRow | Verified | null> {
  const session = context.repository.activeSession(row.id);
  if (!session) return null;
  const local = context.repository.parts(session.id);
  let remoteParts;
  try {
    remoteParts = await jobRequest(context, () => context.gateway.listParts(session.objectKey, session.s3UploadId, { uploadId: row.id, signal: context.signal }));
  } catch (error) {
    // The server no longer knows the UploadId (Spaces drops unfinished uploads after 30 days;
    // radosgw answers 404 NoSuchKey rather than NoSuchUpload). Either Complete went through
    // just before a crash (it is only sent once every part is recorded), or the upload is gone
    // and starts afresh.
    if (httpStatusOf(error) !== 404) throw error;
    if (local.length === session.partCount) {
      const expected = expectedMultipartEtag(local.map((part) => part.md5));
      const head = await jobRequest(context, () => context.gateway.headObject(session.objectKey, { uploadId: row.id, signal: context.signal }));
      if (head && head.etag === expected && head.size === row.size) {
        context.repository.endSession(session.id, 'completed');
        return verifyObject(row, session.objectKey, { etag: expected }, context, 'completed before Quire stopped: verified without sending again');
      }
    }
    context.repository.endSession(session.id, 'aborted');
    return null;
  }
  // The server is the truth: a part recorded locally but not listed is sent again...
  const remote = new Map(remoteParts.map((part) => [part.partNumber, part]));
  const localNumbers = new Set(local.map((part) => part.partNumber));
  context.repository.dropParts(
    session.id,
    local.filter((part) => remote.get(part.partNumber)?.etag !== part.etag).map((part) => part.partNumber),
  );
  // ...and a part the server has but the ledger missed (a crash between the two) is adopted
  // when it is ours: its ETag is the MD5 of that range of the file as it is now.
  const unrecorded = remoteParts.filter((part) => !localNumbers.has(part.partNumber) && part.partNumber <= session.partCount);
  if (unrecorded.length > 0) {
    await withSource(row, async (handle) => {
      const buffer = Buffer.allocUnsafe(READ_BUFFER_SIZE);
      for (const part of unrecorded) {
        const { offset, length } = partRange(row.size, session.partSize, part.partNumber);
        if (part.size !== length) continue;
        const md5 = await md5OfRange(handle, row.sourcePath, offset, length, buffer, context.signal);
        if (md5 === part.etag) context.repository.recordPart({ sessionId: session.id, partNumber: part.partNumber, etag: part.etag, size: part.size, md5, uploadedAt: Date.now() });
      }
    });
  }
  return session;
}

async function startSession(row: UploadRow, context: TransferContext): Promise<MultipartSessionRow | Verified> {
  const partSize = choosePartSize(row.size, context.settings.partSize);
  const sha256 = await sourceRead(row, () => sha256OfFile(row.sourcePath, row.size, context.signal));
  await assertSourceUnchanged(row);
  // Recorded before CreateMultipartUpload: the mark that a Create may have been sent.
  context.repository.update(row.id, { sha256 });
  const choice = await chooseKey(row, sha256, context);
  if (choice.identical) return verifyObject(row, choice.key, { etag: choice.identical.etag }, context, 'already in the bucket, identical: not sent again');
  // An earlier attempt got this far (its hash was recorded when this row was read): it may have
  // been killed after the server created an upload but before the ledger heard of it. So may
  // this attempt's own Create whose answer was lost (a 503 after the server made it): each retry
  // first aborts what such a lost answer left, or it would be billed until the janitor came.
  let unrecordedPossible = row.sha256 !== null;
  const s3UploadId = await withRetries(
    async () => {
      if (unrecordedPossible) await abortUnrecordedUploads(row, choice.key, context);
      unrecordedPossible = true;
      return jobRequest(context, () =>
        context.gateway.createMultipartUpload(choice.key, { contentType: row.contentType, visibility: row.visibility, sha256, metadata: objectMetadataOf(row) }, { uploadId: row.id, signal: context.signal, retry: false }),
      );
    },
    { maxAttempts: context.gateway.maxAttempts, signal: context.signal, onRetry: () => context.repository.countAttempt(row.id) },
  );
  const session: MultipartSessionRow = {
    id: randomUUID(),
    uploadId: row.id,
    s3UploadId,
    objectKey: choice.key,
    partSize,
    partCount: partCount(row.size, partSize),
    status: 'active',
    createdAt: Date.now(),
    endedAt: null,
  };
  // Recorded before the first part: from here on a crash can always resume this upload.
  context.repository.insertSession(session);
  return session;
}

/** How far the server's clock may be behind ours when telling this row's uploads from older ones. */
const CLOCK_MARGIN_MS = 15 * 60_000;

/**
 * A kill between CreateMultipartUpload and its ledger row leaves an unfinished upload for this
 * key that the ledger does not own, billed until someone aborts it. Unfinished uploads of
 * exactly this key, started since the row was queued and owned by no session, are that one.
 */
async function abortUnrecordedUploads(row: UploadRow, key: string, context: TransferContext): Promise<void> {
  const owned = context.repository.ownedActiveS3UploadIds();
  const open = await jobRequest(context, () => context.gateway.listMultipartUploads(key));
  for (const upload of open) {
    if (upload.key !== key || owned.has(upload.s3UploadId) || upload.initiated < row.createdAt - CLOCK_MARGIN_MS) continue;
    await jobRequest(context, () => context.gateway.abortMultipartUpload(key, upload.s3UploadId, { uploadId: row.id })).catch((error) => {
      if (httpStatusOf(error) !== 404) throw error;
    });
  }
}

async function sendMissingParts(row: UploadRow, session: MultipartSessionRow, context: TransferContext): Promise<void> {
  const done = context.repository.parts(session.id);
  const doneNumbers = new Set(done.map((part) => part.partNumber));
  const missing: number[] = [];
  for (let n = 1; n <= session.partCount; n += 1) if (!doneNumbers.has(n)) missing.push(n);
  let bytesDone = done.reduce((sum, part) => sum + part.size, 0);
  // A resume counts what it spared sending again (each time: another tool would have sent it all anew).
  const resumed = done.length > 0 ? { resumes: row.resumes + 1, bytesResumed: row.bytesResumed + bytesDone } : {};
  context.repository.move(row.id, 'uploading', { bytesDone, objectKey: session.objectKey, ...resumed });
  // Seeing where it picked up is what tells the author an interrupted upload was safe.
  const resumedAt = done.length > 0 ? `resumed at ${Math.floor((bytesDone / row.size) * 100)}%: ${done.length} of ${session.partCount} parts were already in the bucket` : undefined;
  context.changed(row.id, resumedAt);
  if (missing.length === 0) return;

  try {
    await withSource(row, async (handle) => {
      const workers = Math.max(1, Math.min(context.settings.partsPerObject, missing.length));
      const failure = new AbortController();
      const signal = AbortSignal.any([context.signal, failure.signal]);
      let next = 0;
      // What each part in flight has sent so far; their sum is shown between finished parts.
      const inFlight = new Map<number, number>();
      // Workers still winding down after a failure must not report into the next job's events.
      const report = () => !signal.aborted && context.sending(row.id, [...inFlight.values()].reduce((sum, bytes) => sum + bytes, 0));
      const worker = async (): Promise<void> => {
        while (next < missing.length && !signal.aborted) {
          const partNumber = missing[next++]!;
          const onSent = (bytes: number) => {
            inFlight.set(partNumber, bytes);
            report();
          };
          try {
            const { length } = await sendPart(row, session, partNumber, handle, context, signal, onSent);
            bytesDone += length;
            inFlight.delete(partNumber);
            context.repository.update(row.id, { bytesDone });
            report();
            context.changed(row.id);
          } finally {
            inFlight.delete(partNumber);
          }
        }
      };
      await Promise.all(
        Array.from({ length: workers }, () =>
          worker().catch((error) => {
            // One part failing for good stops the others at once instead of after their retries.
            failure.abort(error);
            throw error;
          }),
        ),
      );
    });
  } finally {
    context.sending(row.id, null);
  }
}

async function sendPart(
  row: UploadRow,
  session: MultipartSessionRow,
  partNumber: number,
  handle: FileHandle,
  context: TransferContext,
  signal: AbortSignal,
  onSent: (bytes: number) => void,
): Promise<{ length: number }> {
  const { offset, length } = partRange(row.size, session.partSize, partNumber);
  // The slot in the global budget is taken before the part is read, and a read chunk with it:
  // the part streams from disk through that chunk, so memory is a chunk per request in flight,
  // whatever the part size.
  const release = await context.requests.acquire();
  const chunk = context.buffers.take();
  try {
    await assertSourceUnchanged(row);
    const sent = await sourceRead(row, () =>
      context.gateway.uploadPart(session.objectKey, session.s3UploadId, partNumber, { handle, path: row.sourcePath, offset, length, chunk, onSent }, { uploadId: row.id, signal }),
    );
    // The server checked every chunk's signature, so it stored the bytes read, and its ETag is
    // their MD5 (S3's rule for a part); it is also what the object's ETag is computed from.
    if (!/^[0-9a-f]{32}$/.test(sent.etag)) {
      throw new QuireError('s3_error', `${row.sourcePath}: the server accepted part ${partNumber} without the ETag S3 gives a part ("${sent.etag}"), so the upload cannot be checked. Is something between Quire and the server rewriting answers?`);
    }
    context.repository.recordPart({ sessionId: session.id, partNumber, etag: sent.etag, size: length, md5: sent.etag, uploadedAt: Date.now() });
  } finally {
    context.buffers.give(chunk);
    release();
  }
  return { length };
}

/** Opens the source for a while; a file that is gone or shorter than recorded has changed. */
async function withSource<T>(row: UploadRow, use: (handle: FileHandle) => Promise<T>): Promise<T> {
  const handle = await open(row.sourcePath, 'r').catch(() => {
    throw new SourceChangedError(row.sourcePath, true);
  });
  try {
    return await sourceRead(row, () => use(handle));
  } finally {
    await handle.close();
  }
}

async function sourceRead<T>(row: UploadRow, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof FileShrankError) throw new SourceChangedError(row.sourcePath, false);
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new SourceChangedError(row.sourcePath, true);
    throw error;
  }
}

/** The parts on the server belong to a version of the file that no longer exists. */
async function abandonSession(row: UploadRow, session: MultipartSessionRow, context: TransferContext): Promise<void> {
  context.repository.endSession(session.id, 'aborted');
  await context.gateway.abortMultipartUpload(session.objectKey, session.s3UploadId, { uploadId: row.id }).catch(() => {
    // Best effort: the janitor aborts uploads the ledger no longer owns.
  });
}
