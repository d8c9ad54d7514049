import type Database from 'better-sqlite3';
import { COPY_FIRST_REQUESTS_OF_SPAN } from './firstRequests';
import { DAY_MS, startOfUtcDay, utcDay } from './utcDays';

/**
 * Keeps the operations log from growing without bound: requests older than the retention
 * period become one row per UTC day, connection, operation and outcome (operation_rollups:
 * count, bytes sent, time taken), and their own rows go. Every analytics figure reads both
 * tables, so it stays exact; only the list of slowest requests, which needs single requests,
 * is limited to the ones still kept. Before a day's requests go, each upload they belong to gets
 * its first request copied onto its row (firstRequests.ts): its throughput is timed from it.
 *
 * An hour at a time, each in one IMMEDIATE transaction (add its requests to its day's totals,
 * delete them): every request is counted once, either as a row or in its day's rollup, at every
 * moment, so a crash, a second process doing the same, or running it again changes no figure.
 * Between hours the event loop gets its turn: better-sqlite3 is synchronous, and the first rollup
 * of a year of heavy use is tens of seconds of work (deleting rows from five indexes), which in
 * pieces of an hour's requests holds the app up for milliseconds at a time, not a tenth of a second.
 */

export const DEFAULT_RETENTION_DAYS = 90;

const HOUR_MS = 3_600_000;

export interface RollupResult {
  /** Days rolled up. */
  days: number;
  /** Requests rolled up (their rows deleted). */
  operations: number;
  /** Requests before this moment (a UTC midnight) were considered. */
  cutoff: number;
}

/** Rolls up every request older than `retentionDays` days before `now` (the cutoff is the UTC midnight at or before that). */
export async function rollupOperations(db: Database.Database, options: { now?: number; retentionDays?: number; signal?: AbortSignal } = {}): Promise<RollupResult> {
  const cutoff = startOfUtcDay((options.now ?? Date.now()) - (options.retentionDays ?? DEFAULT_RETENTION_DAYS) * DAY_MS);
  const result: RollupResult = { days: 0, operations: 0, cutoff };
  const days = new Set<number>();
  const oldest = db.prepare(`SELECT min(started_at) AS next FROM operations WHERE started_at < @cutoff`);
  for (;;) {
    if (options.signal?.aborted) break;
    const { next } = oldest.get({ cutoff }) as { next: number | null };
    if (next === null) break;
    const start = Math.floor(next / HOUR_MS) * HOUR_MS;
    result.operations += rollupSpan(db, start, Math.min(start + HOUR_MS, cutoff));
    days.add(startOfUtcDay(start));
    await new Promise((resolve) => setImmediate(resolve));
  }
  result.days = days.size;
  return result;
}

/** Rolls up the requests of [start, end), which lies within one UTC day, in one transaction; returns how many. */
export function rollupSpan(db: Database.Database, start: number, end: number): number {
  if (startOfUtcDay(start) !== startOfUtcDay(end - 1)) throw new RangeError('A rollup span lies within one UTC day.');
  const range = { start, end };
  const copyFirstRequests = db.prepare(COPY_FIRST_REQUESTS_OF_SPAN);
  const add = db.prepare(
    `INSERT INTO operation_rollups (day, connection_id, operation, success, error_code, http_status, count, bytes_sent, duration_ms)
     SELECT @day, coalesce(o.connection_id, ''), o.operation, o.success, coalesce(o.error_code, ''), coalesce(o.http_status, 0), count(*), sum(o.bytes_sent), sum(o.duration_ms)
     FROM operations o WHERE o.started_at >= @start AND o.started_at < @end
     GROUP BY 2, 3, 4, 5, 6
     ON CONFLICT (day, connection_id, operation, success, error_code, http_status)
     DO UPDATE SET count = count + excluded.count, bytes_sent = bytes_sent + excluded.bytes_sent, duration_ms = duration_ms + excluded.duration_ms`,
  );
  const remove = db.prepare(`DELETE FROM operations WHERE started_at >= @start AND started_at < @end`);
  return db
    .transaction(() => {
      copyFirstRequests.run(range);
      add.run({ ...range, day: utcDay(start) });
      return remove.run(range).changes;
    })
    .immediate();
}
