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
    const hash = createHash('sha256');
    hash.update(`${info.size}:${Math.trunc(info.mtimeMs)}:`);
    const head = Buffer.alloc(Math.min(SAMPLE_BYTES, info.size));
    await handle.read(head, 0, head.length, 0);
    hash.update(head);
    if (info.size > SAMPLE_BYTES) {
      const tailLength = Math.min(SAMPLE_BYTES, info.size - SAMPLE_BYTES);
      const tail = Buffer.alloc(tailLength);
      await handle.read(tail, 0, tailLength, info.size - tailLength);
      hash.update(tail);
    }
    return { size: info.size, mtimeMs: Math.trunc(info.mtimeMs), fingerprint: hash.digest('hex') };
  } finally {
    await handle.close();
  }
}
