import { createHash } from 'node:crypto';
import { open, stat } from 'node:fs/promises';

/** How much of the head and of the tail is hashed: enough to catch an editor's re-save. */
const SAMPLE_BYTES = 64 * 1024;

export interface FileIdentity {
  size: number;
  mtimeMs: number;
  fingerprint: string;
}

/**
 * A cheap identity for a file: size, mtime and a hash of its first and last 64 KiB. Taken when
 * the file is queued and checked again before resuming, so a chapter re-exported while Quire was
 * closed is uploaded anew instead of being stitched to parts of its old version.
 */
export async function fingerprintFile(path: string): Promise<FileIdentity> {
  const info = await stat(path);
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(Math.min(SAMPLE_BYTES, info.size));
    await handle.read(head, 0, head.length, 0);
    let tail: Buffer | null = null;
    if (info.size > SAMPLE_BYTES) {
      tail = Buffer.alloc(Math.min(SAMPLE_BYTES, info.size - SAMPLE_BYTES));
      await handle.read(tail, 0, tail.length, info.size - tail.length);
    }
    return identityOf(info.size, info.mtimeMs, head, tail);
  } finally {
    await handle.close();
  }
}

/** The same identity for a file read whole (a small file): no second read of the disk. */
export function identityOfContent(content: Buffer, mtimeMs: number): FileIdentity {
  const size = content.length;
  const head = content.subarray(0, Math.min(SAMPLE_BYTES, size));
  const tail = size > SAMPLE_BYTES ? content.subarray(size - Math.min(SAMPLE_BYTES, size - SAMPLE_BYTES)) : null;
  return identityOf(size, mtimeMs, head, tail);
}

function identityOf(size: number, mtimeMs: number, head: Buffer, tail: Buffer | null): FileIdentity {
  const hash = createHash('sha256');
  hash.update(`${size}:${Math.trunc(mtimeMs)}:`);
  hash.update(head);
  if (tail) hash.update(tail);
  return { size, mtimeMs: Math.trunc(mtimeMs), fingerprint: hash.digest('hex') };
}
