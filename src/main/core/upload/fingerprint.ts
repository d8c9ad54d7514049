import { createHash } from 'node:crypto';
import { open, stat, type FileHandle } from 'node:fs/promises';

/** How much of the head and of the tail is hashed: enough to catch an editor's re-save. */
const SAMPLE_BYTES = 64 * 1024;

export interface FileIdentity {
  size: number;
  mtimeMs: number;
  fingerprint: string;
}

/**
 * A cheap identity for a file, taken when it is queued and checked again before it is sent, so
 * a chapter re-exported while Quire was closed is uploaded anew instead of being stitched to
 * parts of its old version: size, mtime and a hash of its first and last 64 KiB.
 *
 * Files up to `wholeFileLimit` (the multipart threshold) are read whole and sent in one request,
 * which is checked against the bytes read: nothing of an old version can be mixed in, so size and
 * mtime are their identity, and a dropped folder of a thousand covers is queued without opening
 * one of them.
 */
export async function fingerprintFile(path: string, wholeFileLimit: number): Promise<FileIdentity> {
  const info = await stat(path);
  if (info.size <= wholeFileLimit) return identityOf(info.size, info.mtimeMs, []);
  const handle = await open(path, 'r');
  try {
    const samples = [await readSample(handle, 0, Math.min(SAMPLE_BYTES, info.size))];
    if (info.size > SAMPLE_BYTES) {
      const tailLength = Math.min(SAMPLE_BYTES, info.size - SAMPLE_BYTES);
      samples.push(await readSample(handle, info.size - tailLength, tailLength));
    }
    return identityOf(info.size, info.mtimeMs, samples);
  } finally {
    await handle.close();
  }
}

async function readSample(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const sample = Buffer.allocUnsafe(length);
  const { bytesRead } = await handle.read(sample, 0, length, position);
  return sample.subarray(0, bytesRead);
}

function identityOf(size: number, mtimeMs: number, samples: Buffer[]): FileIdentity {
  const hash = createHash('sha256');
  hash.update(`${size}:${Math.trunc(mtimeMs)}:`);
  for (const sample of samples) hash.update(sample);
  return { size, mtimeMs: Math.trunc(mtimeMs), fingerprint: hash.digest('hex') };
}
