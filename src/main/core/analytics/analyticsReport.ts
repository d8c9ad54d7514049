import type Database from 'better-sqlite3';
import type { AnalyticsInput, AnalyticsReport } from '../../../shared/analytics';
import { firstRequestRecord, requestFigures, rolledUpBefore, slowestOperations } from './operationFigures';
import { firstUploadRecord, imageSavings, resumeFigures, throughput, uploadFailures, uploadOutcomes, uploadSeries, type Scope } from './uploadFigures';
import { DAY_MS, endOfUtcDay, startOfUtcDay } from './utcDays';

/**
 * The analytics report (src/shared/analytics.ts) from the ledger: the range made whole UTC
 * days, then each figure by its own query (uploadFigures.ts, operationFigures.ts), all read in
 * one transaction so they agree with each other while other processes write.
 */
export function buildAnalyticsReport(
  db: Database.Database,
  input: AnalyticsInput,
  context: { connection: { id: string; name: string } | null; now?: number },
): AnalyticsReport {
  const now = context.now ?? Date.now();
  // A read transaction: one snapshot of the ledger (WAL) for every query below.
  return db.transaction(() => {
    // Without an end, through today (or the day `since` names, if later).
    const until = endOfUtcDay(input.until ?? Math.max(now, input.since ?? 0) + 1);
    const first = input.since ?? earliestRecord(db);
    const since = first === null ? null : Math.min(startOfUtcDay(first), until - DAY_MS);
    const scope: Scope = { since: since ?? until - DAY_MS, until, connectionId: context.connection?.id ?? null };
    const { series, byCategory } = uploadSeries(db, scope, input.bucket ?? 'day');
    const { requests, reasons } = requestFigures(db, scope);
    return {
      range: { since, until },
      connection: context.connection?.name ?? null,
      generatedAt: now,
      uploads: uploadOutcomes(db, scope),
      series,
      byCategory,
      throughput: throughput(db, scope),
      requests,
      requestFailures: reasons,
      resumes: resumeFigures(db, scope),
      images: imageSavings(db, scope),
      failures: uploadFailures(db, scope),
      slowest: slowestOperations(db, scope),
      rolledUpBefore: rolledUpBefore(db),
    };
  })();
}

function earliestRecord(db: Database.Database): number | null {
  const candidates = [firstUploadRecord(db), firstRequestRecord(db)].filter((t): t is number => t !== null);
  return candidates.length === 0 ? null : Math.min(...candidates);
}
