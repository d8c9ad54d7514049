import { and, eq, gt, gte, sql } from 'drizzle-orm';
import { OTHER_AREA, usageAreas, type AreaUsage, type Prices } from '../../../shared/usage';
import type { Ledger } from '../ledger/database';
import { connections, uploads, usageScans, usageScanUnits, usageSnapshots } from '../ledger/schema';

/** Objects and bytes per area, as a scan counts them. */
export type AreaCounts = Record<string, [objects: number, bytes: number]>;

export type ScanRow = typeof usageScans.$inferSelect;
export type ScanUnitRow = typeof usageScanUnits.$inferSelect;

/**
 * The ledger side of usage: the snapshot of each bucket, the scan under way (written after every
 * page, so a scan cut off goes on from its last page), and each connection's quota and prices.
 */
export class UsageRepository {
  constructor(private readonly db: Ledger) {}

  scan(connectionId: string): ScanRow | null {
    return this.db.select().from(usageScans).where(eq(usageScans.connectionId, connectionId)).get() ?? null;
  }

  units(connectionId: string): ScanUnitRow[] {
    return this.db.select().from(usageScanUnits).where(eq(usageScanUnits.connectionId, connectionId)).all();
  }

  /**
   * A new scan over these units (the bucket's top-level prefixes); the last snapshot stays until it
   * ends. `serverTotals`: what the server itself counts (Ceph's bucket statistics), where it does.
   */
  begin(connectionId: string, units: string[], serverTotals: { objects: number; bytes: number } | null, now: number): void {
    this.db.transaction((tx) => {
      tx.delete(usageScanUnits).where(eq(usageScanUnits.connectionId, connectionId)).run();
      // The last snapshot's time and unfinished uploads stay until this scan ends: they describe
      // the figures shown meanwhile (uploads after that time are added to them).
      const started = {
        state: 'running' as const,
        method: serverTotals ? ('bucket-stats' as const) : ('listing' as const),
        statsObjects: serverTotals?.objects ?? null,
        statsBytes: serverTotals?.bytes ?? null,
        pid: process.pid,
        startedAt: now,
        updatedAt: now,
        error: null,
      };
      tx.insert(usageScans).values({ connectionId, ...started, finishedAt: null, unfinishedUploads: 0, unfinishedBytes: 0 }).onConflictDoUpdate({ target: usageScans.connectionId, set: started }).run();
      for (const prefix of units) tx.insert(usageScanUnits).values({ connectionId, prefix }).run();
    });
  }

  /** One page of a unit counted: where its listing goes on, and what it has counted so far. */
  savePage(connectionId: string, prefix: string, page: { continuationToken: string | null; done: boolean; counts: AreaCounts; pages: number }, now: number): void {
    this.db.transaction((tx) => {
      tx.update(usageScanUnits)
        .set({ continuationToken: page.continuationToken, done: page.done, counts: JSON.stringify(page.counts), pages: page.pages })
        .where(and(eq(usageScanUnits.connectionId, connectionId), eq(usageScanUnits.prefix, prefix)))
        .run();
      tx.update(usageScans).set({ updatedAt: now }).where(eq(usageScans.connectionId, connectionId)).run();
    });
  }

  /** The scan ended: its counts become the connection's snapshot, in one transaction. */
  finish(connectionId: string, counts: AreaCounts, unfinished: { uploads: number; bytes: number }, now: number): void {
    this.db.transaction((tx) => {
      tx.delete(usageSnapshots).where(eq(usageSnapshots.connectionId, connectionId)).run();
      for (const [area, [objects, bytes]] of Object.entries(counts)) tx.insert(usageSnapshots).values({ connectionId, area, objects, bytes }).run();
      tx.update(usageScans)
        .set({ state: 'done', finishedAt: now, updatedAt: now, unfinishedUploads: unfinished.uploads, unfinishedBytes: unfinished.bytes, error: null })
        .where(eq(usageScans.connectionId, connectionId))
        .run();
      tx.delete(usageScanUnits).where(eq(usageScanUnits.connectionId, connectionId)).run();
    });
  }

  /**
   * Stopped (by the author, or by trouble): its pages stay, so the next scan goes on from them. A
   * scan that failed before its first listing (no keys, offline) is recorded too, so the author
   * sees why.
   */
  stop(connectionId: string, state: 'cancelled' | 'failed', error: string | null, now: number): void {
    const row = { connectionId, state, method: 'listing' as const, pid: process.pid, startedAt: now, finishedAt: null, updatedAt: now, unfinishedUploads: 0, unfinishedBytes: 0, error };
    this.db.insert(usageScans).values(row).onConflictDoUpdate({ target: usageScans.connectionId, set: { state, error, updatedAt: now } }).run();
  }

  /** Picks up a scan that was cancelled, failed or cut off: it goes on from its units' last pages. */
  resume(connectionId: string, now: number): void {
    this.db.update(usageScans).set({ state: 'running', pid: process.pid, error: null, updatedAt: now }).where(eq(usageScans.connectionId, connectionId)).run();
  }

  /** What a scan's units have counted so far (from the ledger: also for a scan another process ran, or one cut off). */
  unitFigures(connectionId: string): { objectsSeen: number; bytesSeen: number; unitsDone: number; units: number } {
    const units = this.units(connectionId);
    let objectsSeen = 0;
    let bytesSeen = 0;
    for (const unit of units) {
      for (const [objects, bytes] of Object.values(parseCounts(unit.counts))) {
        objectsSeen += objects;
        bytesSeen += bytes;
      }
    }
    return { objectsSeen, bytesSeen, unitsDone: units.filter((unit) => unit.done).length, units: units.length };
  }

  snapshot(connectionId: string): AreaUsage[] {
    return this.db
      .select({ area: usageSnapshots.area, objects: usageSnapshots.objects, bytes: usageSnapshots.bytes })
      .from(usageSnapshots)
      .where(eq(usageSnapshots.connectionId, connectionId))
      .all();
  }

  /**
   * This connection's uploads verified after a moment (what a snapshot has not counted yet), per
   * area, counted by SQLite: a never-scanned connection with a hundred thousand uploads is one
   * grouped query, not a hundred thousand rows brought into the page's every report.
   */
  verifiedSinceByArea(connectionId: string, since: number): AreaUsage[] {
    return this.db
      .select({ area: AREA_OF_KEY, objects: sql<number>`count(*)`, bytes: sql<number>`coalesce(sum(${uploads.size}), 0)` })
      .from(uploads)
      .where(and(eq(uploads.connectionId, connectionId), eq(uploads.status, 'verified'), gt(uploads.verifiedAt, since)))
      .groupBy(AREA_OF_KEY)
      .all();
  }

  /** Bytes of this connection's uploads verified since a moment (the pace a projection extends). */
  bytesVerifiedSince(connectionId: string, since: number): number {
    const row = this.db
      .select({ bytes: sql<number>`coalesce(sum(${uploads.size}), 0)` })
      .from(uploads)
      .where(and(eq(uploads.connectionId, connectionId), eq(uploads.status, 'verified'), gte(uploads.verifiedAt, since)))
      .get();
    return row?.bytes ?? 0;
  }

  quotaOf(connectionId: string): { quotaBytes: number | null; prices: Prices | null } {
    const row = this.db.select({ quotaBytes: connections.quotaBytes, prices: connections.prices }).from(connections).where(eq(connections.id, connectionId)).get();
    let prices: Prices | null = null;
    try {
      prices = row?.prices ? (JSON.parse(row.prices) as Prices) : null;
    } catch {
      prices = null; // unreadable: Spaces' prices stand
    }
    return { quotaBytes: row?.quotaBytes ?? null, prices };
  }

  setQuota(connectionId: string, values: { quotaBytes?: number | null; prices?: Prices | null }): void {
    const set: { quotaBytes?: number | null; prices?: string | null; updatedAt: number } = { updatedAt: Date.now() };
    if (values.quotaBytes !== undefined) set.quotaBytes = values.quotaBytes;
    if (values.prices !== undefined) set.prices = values.prices === null ? null : JSON.stringify(values.prices);
    this.db.update(connections).set(set).where(eq(connections.id, connectionId)).run();
  }
}

/**
 * areaOf (src/shared/usage.ts) in SQL: the longest layout prefix a key starts with, compared
 * exactly (substr, not LIKE, which ignores case).
 */
const AREA_OF_KEY = sql<string>`case ${sql.join(
  [...usageAreas]
    .sort((a, b) => b.length - a.length)
    .map((area) => sql`when substr(${uploads.objectKey}, 1, ${area.length}) = ${area} then ${area}`),
  sql` `,
)} else ${OTHER_AREA} end`;

/** A unit's counts as written after its last page; an unreadable value counts nothing. */
export function parseCounts(text: string): AreaCounts {
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed && typeof parsed === 'object' ? (parsed as AreaCounts) : {};
  } catch {
    return {};
  }
}
