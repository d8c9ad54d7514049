import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Category } from '../../../shared/layout';
import type { WatchFolderSummary } from '../../../shared/watch';
import type { Ledger } from '../ledger/database';
import { uploads, watchedFiles, watchFolders, type WatchedFileRow, type WatchFolderRow } from '../ledger/schema';

export type WatchedFileState = WatchedFileRow['state'];

/** Watch folders and what Quire knows of their files, as rows. */
export class WatchRepository {
  constructor(private readonly db: Ledger) {}

  folders(): WatchFolderRow[] {
    return this.db.select().from(watchFolders).orderBy(watchFolders.path).all();
  }

  folder(id: string): WatchFolderRow | null {
    return this.db.select().from(watchFolders).where(eq(watchFolders.id, id)).get() ?? null;
  }

  findByIdPrefix(id: string): WatchFolderRow[] {
    return this.db.select().from(watchFolders).where(sql`${watchFolders.id} LIKE ${`${id}%`}`).all();
  }

  findByPath(path: string): WatchFolderRow | null {
    return this.db.select().from(watchFolders).where(eq(watchFolders.path, path)).get() ?? null;
  }

  insertFolder(row: WatchFolderRow): void {
    this.db.insert(watchFolders).values(row).run();
  }

  updateFolder(id: string, values: Partial<Omit<WatchFolderRow, 'id'>>): void {
    this.db.update(watchFolders).set({ ...values, updatedAt: Date.now() }).where(eq(watchFolders.id, id)).run();
  }

  /** Its file rows go with it (cascade); its uploads and the bucket's objects stay. */
  removeFolder(id: string): void {
    this.db.delete(watchFolders).where(eq(watchFolders.id, id)).run();
  }

  /** A cheap look at what other processes changed: the driving process compares it at every poll. */
  folderStamps(): Map<string, number> {
    return new Map(this.db.select({ id: watchFolders.id, updatedAt: watchFolders.updatedAt }).from(watchFolders).all().map((row) => [row.id, row.updatedAt]));
  }

  usesConnection(connectionId: string): boolean {
    return this.db.select({ id: watchFolders.id }).from(watchFolders).where(eq(watchFolders.connectionId, connectionId)).get() !== undefined;
  }

  files(folderId: string): Map<string, WatchedFileRow> {
    return new Map(this.db.select().from(watchedFiles).where(eq(watchedFiles.folderId, folderId)).all().map((row) => [row.relativePath, row]));
  }

  /**
   * Writes many file rows in one transaction (a first scan of 10,000 files is one commit), with
   * one statement prepared once: drizzle building 10,000 upserts cost six times SQLite's work.
   */
  saveFiles(rows: WatchedFileRow[]): void {
    if (rows.length === 0) return;
    this.upsertFile ??= this.db.$client.prepare(
      `INSERT INTO watched_files (folder_id, relative_path, size, mtime_ms, state, upload_id, object_key, sha256, etag, updated_at)
       VALUES (@folderId, @relativePath, @size, @mtimeMs, @state, @uploadId, @objectKey, @sha256, @etag, @updatedAt)
       ON CONFLICT (folder_id, relative_path) DO UPDATE SET size = excluded.size, mtime_ms = excluded.mtime_ms, state = excluded.state,
         upload_id = excluded.upload_id, object_key = excluded.object_key, sha256 = excluded.sha256, etag = excluded.etag, updated_at = excluded.updated_at`,
    );
    const upsert = this.upsertFile;
    this.db.$client.transaction((batch: WatchedFileRow[]) => {
      for (const row of batch) upsert.run(row);
    })(rows);
  }

  private upsertFile: ReturnType<Ledger['$client']['prepare']> | null = null;

  deleteFile(folderId: string, relativePath: string): void {
    this.db.delete(watchedFiles).where(and(eq(watchedFiles.folderId, folderId), eq(watchedFiles.relativePath, relativePath))).run();
  }

  /**
   * Files whose upload has ended since they were queued: verified ones become synced (with the
   * key, SHA-256 and ETag the bucket holds), cancelled ones ignored until they change again.
   * Given the uploads just heard of, only their files are looked up (by index); without, every
   * pending file is (at start, and for a list from another process). Returns the folders changed.
   */
  settleFinishedUploads(now: number, uploadIds?: string[]): string[] {
    if (uploadIds && uploadIds.length > 500) {
      const folders = new Set<string>();
      for (let i = 0; i < uploadIds.length; i += 500) for (const id of this.settleFinishedUploads(now, uploadIds.slice(i, i + 500))) folders.add(id);
      return [...folders];
    }
    const finished = this.db
      .select({ folderId: watchedFiles.folderId, relativePath: watchedFiles.relativePath, status: uploads.status, key: uploads.objectKey, sha256: uploads.sha256, etag: uploads.etag })
      .from(watchedFiles)
      .innerJoin(uploads, eq(uploads.id, watchedFiles.uploadId))
      .where(and(uploadIds ? inArray(watchedFiles.uploadId, uploadIds) : eq(watchedFiles.state, 'pending'), eq(watchedFiles.state, 'pending'), inArray(uploads.status, ['verified', 'cancelled'])))
      .all();
    if (finished.length === 0) return [];
    this.db.transaction((tx) => {
      for (const file of finished) {
        const values = file.status === 'verified' ? { state: 'synced' as const, objectKey: file.key, sha256: file.sha256, etag: file.etag } : { state: 'ignored' as const };
        tx.update(watchedFiles)
          .set({ ...values, updatedAt: now })
          .where(and(eq(watchedFiles.folderId, file.folderId), eq(watchedFiles.relativePath, file.relativePath)))
          .run();
      }
      const synced = [...new Set(finished.filter((file) => file.status === 'verified').map((file) => file.folderId))];
      if (synced.length > 0) tx.update(watchFolders).set({ lastSyncAt: now }).where(inArray(watchFolders.id, synced)).run();
    });
    return [...new Set(finished.map((file) => file.folderId))];
  }

  counts(folderId: string): WatchFolderSummary['files'] {
    const rows = this.db.select({ state: watchedFiles.state, n: sql<number>`count(*)` }).from(watchedFiles).where(eq(watchedFiles.folderId, folderId)).groupBy(watchedFiles.state).all();
    const counts = { synced: 0, pending: 0, ignored: 0, missing: 0 };
    for (const row of rows) counts[row.state] = row.n;
    return counts;
  }
}

export function parseGlobs(json: string): string[] {
  try {
    const value: unknown = JSON.parse(json);
    return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
  } catch {
    return [];
  }
}

export function categoryOf(row: WatchFolderRow): Category | null {
  return (row.category as Category | null) ?? null;
}
