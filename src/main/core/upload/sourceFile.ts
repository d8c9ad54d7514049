import { stat } from 'node:fs/promises';
import { QuireError } from '../errors';
import type { UploadRow } from '../ledger/schema';

/**
 * Thrown when the file on disk is no longer the file being uploaded: parts already sent belong to
 * the old version, so the upload must not be completed with them.
 */
export class SourceChangedError extends QuireError {
  constructor(readonly path: string, readonly deleted: boolean) {
    super(
      deleted ? 'file_missing' : 'file_changed',
      deleted
        ? `${path} was deleted or moved while it was uploading. Nothing incomplete was saved to the bucket; put the file back and add it again.`
        : `${path} changed since it was queued. Nothing of the old version was completed; the new version is queued.`,
    );
  }
}

/**
 * A file found changed is sent once it has been left alone this long: it may still be being
 * written (an export or a copy in progress), and a snapshot of half a file must not be uploaded
 * and called done. Two seconds, as file watchers wait for a write to finish (chokidar's default).
 */
export const SOURCE_QUIET_MS = 2000;

/** However long a writer has been seen pausing, a file left alone this long is taken as finished. */
const LONGEST_QUIET_MS = 60_000;

/**
 * When a file seen being written may be sent: once it has been left alone for the quiet period
 * or, for a writer seen pausing between bursts (a DAW exporting a chapter, a slow copy), for
 * twice the longest pause seen, up to a minute. One rule for files found by the queue, by a
 * watcher's event and by a scan alike.
 */
export function settledAt(lastWriteAt: number, longestPauseSeen = 0): number {
  return lastWriteAt + Math.min(LONGEST_QUIET_MS, Math.max(SOURCE_QUIET_MS, 2 * longestPauseSeen));
}

/** Size and mtime as recorded at enqueue: checked before each part and before Complete. */
export async function assertSourceUnchanged(row: Pick<UploadRow, 'sourcePath' | 'size' | 'mtimeMs'>): Promise<void> {
  let info;
  try {
    info = await stat(row.sourcePath);
  } catch {
    throw new SourceChangedError(row.sourcePath, true);
  }
  if (info.size !== row.size || Math.trunc(info.mtimeMs) !== row.mtimeMs) throw new SourceChangedError(row.sourcePath, false);
}
