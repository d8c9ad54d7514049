import type Database from 'better-sqlite3';
import { copyFirstRequests } from './firstRequests';
import { DEFAULT_RETENTION_DAYS, rollupOperations, type RollupResult } from './rollup';

/**
 * What the engine does for the analytics when it starts, in the background: copy the first
 * request of uploads verified since (firstRequests.ts), then roll up requests older than the
 * retention period (rollup.ts). Both are idempotent and go in small transactions, so a stop,
 * a crash or another process in the middle of either changes no figure; the next start goes on.
 */
export async function maintainAnalytics(db: Database.Database, options: { now?: number; retentionDays?: number; signal?: AbortSignal } = {}): Promise<{ copied: number; rollup: RollupResult }> {
  const copied = await copyFirstRequests(db, options.signal);
  const rollup = await rollupOperations(db, { now: options.now, retentionDays: options.retentionDays ?? DEFAULT_RETENTION_DAYS, signal: options.signal });
  return { copied, rollup };
}
