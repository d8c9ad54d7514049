import { printable } from '../../../shared/printable';
import type { WatchedFileRow } from '../ledger/schema';
import type { ObjectStore } from '../s3/gateway';
import type { UploadRepository } from '../upload/uploadRepository';
import type { WatchRepository } from './watchRepository';

export interface DeleteOutcome {
  deleted: number;
  /** Objects someone else changed since Quire wrote them: kept, and said so. */
  keptChanged: string[];
  failed: string[];
}

/**
 * For a folder whose author turned on "delete from the bucket too": the objects of files gone
 * from the folder are deleted — only if each is still exactly what Quire wrote (its ETag), so an
 * object someone else replaced meanwhile is never removed. An image's web sizes go with it. Their
 * rows go with them.
 */
export async function deleteVanished(folderId: string, rows: WatchedFileRow[], gateway: ObjectStore, ledger: { repository: WatchRepository; uploads: UploadRepository }): Promise<DeleteOutcome> {
  const outcome: DeleteOutcome = { deleted: 0, keptChanged: [], failed: [] };
  for (const row of rows) {
    if (!row.objectKey) {
      ledger.repository.deleteFile(folderId, row.relativePath);
      continue;
    }
    const objects = [{ objectKey: row.objectKey, etag: row.etag }, ...(row.uploadId ? ledger.uploads.verifiedSetMembers(row.uploadId) : [])];
    try {
      for (const object of objects) {
        const remote = await gateway.headObject(object.objectKey);
        if (remote && object.etag && remote.etag !== object.etag) outcome.keptChanged.push(object.objectKey);
        else {
          if (remote) await gateway.deleteObject(object.objectKey);
          outcome.deleted += 1;
        }
      }
      ledger.repository.deleteFile(folderId, row.relativePath);
    } catch {
      outcome.failed.push(row.objectKey);
    }
  }
  return outcome;
}

/**
 * Whether this many files vanishing at once looks like an accident (an unmounted disk, a folder
 * emptied by mistake) rather than the author tidying up: more than the guard's share of the
 * folder's files, and more than one.
 */
export function tooManyVanished(vanished: number, total: number, guardPercent: number): boolean {
  return vanished > 1 && vanished * 100 > total * guardPercent;
}

/** What the author should hear about deletions that did not all happen, or null when they did. */
export function deleteReport(folderPath: string, outcome: DeleteOutcome): string | null {
  const parts: string[] = [];
  if (outcome.keptChanged.length > 0) parts.push(`${outcome.keptChanged.length} object(s) were changed in the bucket by someone else since Quire wrote them, so they were kept (${outcome.keptChanged.slice(0, 3).map(printable).join(', ')}).`);
  if (outcome.failed.length > 0) parts.push(`${outcome.failed.length} object(s) could not be deleted now; Quire tries again at the next scan.`);
  return parts.length > 0 ? `${printable(folderPath)}: ${parts.join(' ')}` : null;
}
