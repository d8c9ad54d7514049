import { and, eq, inArray, isNotNull, or } from 'drizzle-orm';
import type { ConnectionSummary } from '../../../shared/connection';
import { unfinishedStatuses } from '../../../shared/uploadStatus';
import type { Ledger } from '../ledger/database';
import { connections, multipartSessions, uploads, watchFolders, type ConnectionRow } from '../ledger/schema';

/** Connections as rows. Rows read back are validated data, not trusted shapes. */
export class ConnectionRepository {
  constructor(private readonly db: Ledger) {}

  list(): ConnectionSummary[] {
    return this.db.select().from(connections).orderBy(connections.name).all().map(toSummary);
  }

  findByName(name: string): ConnectionSummary | null {
    const row = this.db.select().from(connections).where(eq(connections.name, name)).get();
    return row ? toSummary(row) : null;
  }

  findById(id: string): ConnectionSummary | null {
    const row = this.db.select().from(connections).where(eq(connections.id, id)).get();
    return row ? toSummary(row) : null;
  }

  findDefault(): ConnectionSummary | null {
    const row = this.db.select().from(connections).where(eq(connections.isDefault, true)).get();
    return row ? toSummary(row) : null;
  }

  /** When the orphan janitor last listed this connection's bucket, if ever. */
  orphansCheckedAt(id: string): number | null {
    return this.db.select({ at: connections.orphansCheckedAt }).from(connections).where(eq(connections.id, id)).get()?.at ?? null;
  }

  recordOrphansChecked(id: string, at: number): void {
    this.db.update(connections).set({ orphansCheckedAt: at }).where(eq(connections.id, id)).run();
  }

  insert(summary: ConnectionSummary): void {
    const now = Date.now();
    this.db.transaction((tx) => {
      // Exactly one default: the first connection is it, and a new default takes over.
      const isFirst = tx.select({ id: connections.id }).from(connections).limit(1).all().length === 0;
      const isDefault = summary.isDefault || isFirst;
      if (isDefault) tx.update(connections).set({ isDefault: false }).run();
      tx.insert(connections)
        .values({ ...summary, allowedFileTypes: JSON.stringify(summary.allowedFileTypes), isDefault, createdAt: now, updatedAt: now })
        .run();
    });
  }

  setDefault(id: string): void {
    this.db.transaction((tx) => {
      tx.update(connections).set({ isDefault: false }).run();
      tx.update(connections).set({ isDefault: true, updatedAt: Date.now() }).where(eq(connections.id, id)).run();
    });
  }

  /**
   * Removes a connection with its history in this ledger (finished, failed and cancelled uploads,
   * with their sessions and parts), in one transaction that first makes sure nothing of it is
   * still unfinished: a file queued from another process a moment ago is never orphaned.
   * Returns the ids of the unfinished uploads that stopped it (nothing was removed then).
   */
  delete(id: string): { unfinished: string[]; watched: string[] } {
    return this.db.transaction((tx) => {
      const watched = tx.select({ path: watchFolders.path }).from(watchFolders).where(eq(watchFolders.connectionId, id)).all().map((row) => row.path);
      if (watched.length > 0) return { unfinished: [], watched };
      // Unfinished uploads, and any upload whose multipart upload is still open in the bucket (a
      // failed one, or a cancelled one not yet aborted while offline): once the connection is
      // gone nothing could abort it, and the bucket would bill its parts until the provider purges it.
      const unfinished = tx
        .selectDistinct({ id: uploads.id })
        .from(uploads)
        .leftJoin(multipartSessions, and(eq(multipartSessions.uploadId, uploads.id), eq(multipartSessions.status, 'active')))
        .where(and(eq(uploads.connectionId, id), or(inArray(uploads.status, [...unfinishedStatuses]), isNotNull(multipartSessions.id))))
        .all()
        .map((row) => row.id);
      if (unfinished.length > 0) return { unfinished, watched };
      const wasDefault = tx.select().from(connections).where(eq(connections.id, id)).get()?.isDefault ?? false;
      tx.delete(uploads).where(eq(uploads.connectionId, id)).run();
      tx.delete(connections).where(eq(connections.id, id)).run();
      if (wasDefault) {
        const next = tx.select({ id: connections.id }).from(connections).orderBy(connections.name).limit(1).get();
        if (next) tx.update(connections).set({ isDefault: true }).where(eq(connections.id, next.id)).run();
      }
      return { unfinished: [], watched };
    });
  }
}

function toSummary(row: ConnectionRow): ConnectionSummary {
  let allowed: unknown;
  try {
    allowed = JSON.parse(row.allowedFileTypes);
  } catch {
    allowed = [];
  }
  return {
    id: row.id,
    name: row.name,
    provider: row.provider,
    endpoint: row.endpoint,
    region: row.region,
    bucket: row.bucket,
    cdnBaseUrl: row.cdnBaseUrl,
    pathStyle: row.pathStyle,
    defaultVisibility: row.defaultVisibility,
    maxFileSize: row.maxFileSize,
    allowedFileTypes: Array.isArray(allowed) ? allowed.filter((t): t is string => typeof t === 'string') : [],
    accessKeyId: row.accessKeyId,
    isDefault: row.isDefault,
  };
}
