import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, rmdir, stat } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { formatBytes } from '../../../shared/format';
import { printable } from '../../../shared/printable';
import { stagingBatchSchema } from '../../../shared/upload';
import { QuireError } from '../errors';

/** A control character, or a bidi override that would make a name read differently than it is. */
const UNSAFE_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const WINDOWS_RESERVED = /[<>:"|?*\\]/;

/**
 * Where a browser's drop lands: a browser has no paths to give, so the bytes of each file are
 * streamed to the engine's machine and that copy is the source the upload reads, and a resume
 * after a restart reads again. `<dataDir>/staging/<batch>/<path inside the drop>`, written under
 * `<dataDir>/staging/.incoming/` first and renamed into place only when every byte arrived, so a
 * broken stream or a full disk never leaves a half-written file where the queue could take it.
 * A staged file is removed once its upload is verified (or cancelled); batches nobody queued
 * are swept after a day.
 */
export class StagingArea {
  constructor(readonly root: string) {}

  /**
   * The staged file for a path inside a batch. Refuses what could escape the batch or mislead:
   * absolute paths, `..` and `.` segments, empty segments, control characters.
   */
  resolve(batch: string, relativePath: string): string {
    if (!stagingBatchSchema.safeParse(batch).success) throw new QuireError('usage', `${printable(batch)} is not a staging batch id.`);
    const segments = relativePath.split('/');
    for (const segment of segments) {
      if (segment === '' || segment === '.' || segment === '..' || UNSAFE_CHARACTERS.test(segment) || WINDOWS_RESERVED.test(segment) || segment.length > 255) {
        throw new QuireError('invalid_name', `${printable(relativePath)}: a file name may not be empty, "." or "..", or contain control characters or any of < > : " | ? * \\. Rename the file and drop it again.`);
      }
    }
    const path = join(this.batchDir(batch), ...segments);
    const inside = relative(this.batchDir(batch), path);
    if (inside.startsWith('..') || inside.includes(`..${sep}`)) throw new QuireError('invalid_name', `${printable(relativePath)} leads outside the drop.`);
    return path;
  }

  batchDir(batch: string): string {
    return join(this.root, batch.toLowerCase());
  }

  /** Whether a path is a staged file (so it may be removed once uploaded). */
  contains(path: string): boolean {
    const inside = relative(this.root, path);
    return inside !== '' && !inside.startsWith('..') && !inside.startsWith(`.incoming${sep}`);
  }

  /** A file as the author named it: for a staged file, its path inside the drop ("My Book/cover.jpg"); any other path as it is. */
  nameInDrop(path: string): string {
    if (!this.contains(path)) return path;
    const [, ...inDrop] = relative(this.root, path).split(sep);
    return inDrop.length > 0 ? inDrop.join('/') : path;
  }

  /**
   * Streams one file of a drop into the batch. The file appears at its path only if exactly
   * `expectedSize` bytes arrived; otherwise (a broken stream, too many bytes, a full disk) the
   * partial copy is removed and the error says what happened to which file.
   */
  async write(batch: string, relativePath: string, source: Readable, expectedSize: number, signal?: AbortSignal): Promise<{ path: string; size: number }> {
    const target = this.resolve(batch, relativePath);
    const incoming = join(this.root, '.incoming', `${randomUUID()}.partial`);
    await mkdir(dirname(incoming), { recursive: true });
    let received = 0;
    const counter = async function* (chunks: AsyncIterable<Buffer>) {
      for await (const chunk of chunks) {
        received += chunk.length;
        if (received > expectedSize) throw new QuireError('usage', `${printable(relativePath)}: more bytes arrived than its size (${expectedSize}); nothing was kept.`);
        yield chunk;
      }
    };
    try {
      await pipeline(source, counter, createWriteStream(incoming, { flags: 'wx' }), { signal });
      if (received !== expectedSize) {
        throw new QuireError('staging_incomplete', `${printable(relativePath)}: the transfer from the browser broke off after ${formatBytes(received)} of ${formatBytes(expectedSize)}; nothing was queued for it. Drop it again.`);
      }
      await mkdir(dirname(target), { recursive: true });
      await rename(incoming, target);
      return { path: target, size: received };
    } catch (error) {
      await rm(incoming, { force: true });
      throw stagingFailure(error, relativePath, received, expectedSize);
    }
  }

  /** Removes a staged file whose upload is done with, and the batch folders it leaves empty. */
  async release(path: string): Promise<void> {
    if (!this.contains(path)) return;
    await rm(path, { force: true });
    let dir = dirname(path);
    while (this.contains(dir)) {
      try {
        await rmdir(dir);
      } catch {
        return; // not empty (other files of the drop are still uploading), or already gone
      }
      dir = dirname(dir);
    }
  }

  /**
   * Removes what no upload will read: half-written files a crash left (untouched for an hour: a
   * copy still arriving is written to all the time), and batches older than `olderThanMs` none
   * of whose files `isQueued` (dropped, then never queued) — safe beside a host still receiving.
   */
  async sweep(olderThanMs: number, isQueued: (batchDir: string) => boolean, now = Date.now()): Promise<void> {
    const incoming = join(this.root, '.incoming');
    for (const name of await readdir(incoming).catch(() => [] as string[])) {
      const info = await stat(join(incoming, name)).catch(() => null);
      if (info && now - info.mtimeMs > ABANDONED_COPY_MS) await rm(join(incoming, name), { force: true });
    }
    for (const batch of await readdir(this.root).catch(() => [] as string[])) {
      if (!stagingBatchSchema.safeParse(batch).success) continue;
      const dir = join(this.root, batch);
      const info = await stat(dir).catch(() => null);
      if (!info || now - info.mtimeMs < olderThanMs || isQueued(dir)) continue;
      await rm(dir, { recursive: true, force: true });
    }
  }
}

/** A partial copy nobody has written to for this long was left by a broken stream or a crash. */
const ABANDONED_COPY_MS = 60 * 60 * 1000;

function stagingFailure(error: unknown, relativePath: string, received: number, expectedSize: number): Error {
  if (error instanceof QuireError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new QuireError('disk_full', `${printable(relativePath)}: the disk holding Quire's data folder is full after ${formatBytes(received)} of ${formatBytes(expectedSize)}; nothing was queued for it. Free some space and drop it again.`);
  }
  if ((error as Error).name === 'AbortError' || code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE') {
    return new QuireError('staging_incomplete', `${printable(relativePath)}: the transfer from the browser broke off after ${formatBytes(received)} of ${formatBytes(expectedSize)}; nothing was queued for it. Drop it again.`);
  }
  return error instanceof Error ? error : new Error(String(error));
}
