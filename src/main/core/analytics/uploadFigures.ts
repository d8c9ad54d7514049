import type Database from 'better-sqlite3';
import type { CategoryTotal, ImageSavings, ResumeFigures, Throughput, UploadFailureReason, UploadOutcomes, UploadSeries } from '../../../shared/analytics';
import { uploadStatuses } from '../../../shared/uploadStatus';
import { FIRST_REQUEST } from './firstRequests';
import { uploadAdvice } from './reasons';
import { DAY_MS, bucketStarts, utcDay } from './utcDays';

/**
 * The analytics read from the uploads and image_sets tables: one SQL statement per figure,
 * written out so each is easy to check against the ledger, each filtered by the range and,
 * when asked, one connection. Plain SQL on the ledger's own connection: drizzle would add a
 * builder per call and nothing a reader needs here.
 */

/** [since, until) in Unix ms, whole UTC days, and the connection's id (null: every connection). */
export interface Scope {
  since: number;
  until: number;
  connectionId: string | null;
}

/** When an upload happened: a verified one when verified, any other at its last change (when it failed, was cancelled, or moved last). */
const HAPPENED_AT = `(CASE WHEN status = 'verified' THEN verified_at ELSE updated_at END)`;
/** Every status but verified, as an SQL list. */
const UNVERIFIED = uploadStatuses
  .filter((status) => status !== 'verified')
  .map((status) => `'${status}'`)
  .join(', ');

function connectionClause(scope: Scope, column = 'connection_id'): string {
  return scope.connectionId === null ? '' : ` AND ${column} = @connectionId`;
}

function params(scope: Scope): Record<string, number | string> {
  return scope.connectionId === null ? { since: scope.since, until: scope.until } : { since: scope.since, until: scope.until, connectionId: scope.connectionId };
}

export function uploadOutcomes(db: Database.Database, scope: Scope): UploadOutcomes {
  // Verified ones by when they were verified, the rest by their last change: two index ranges
  // (uploads_verified_idx, uploads_status_updated_idx) instead of a pass over every upload.
  const rows = db
    .prepare(
      `SELECT 'verified' AS status, count(*) AS n, coalesce(sum(size), 0) AS bytes FROM uploads
       WHERE status = 'verified' AND verified_at >= @since AND verified_at < @until${connectionClause(scope)}
       UNION ALL
       SELECT status, count(*) AS n, sum(size) AS bytes FROM uploads
       WHERE status IN (${UNVERIFIED}) AND updated_at >= @since AND updated_at < @until${connectionClause(scope)} GROUP BY status`,
    )
    .all(params(scope)) as { status: string; n: number; bytes: number }[];
  const outcomes: UploadOutcomes = { verified: 0, failed: 0, cancelled: 0, unfinished: 0, bytesVerified: 0, successRate: null };
  for (const row of rows) {
    if (row.status === 'verified') {
      outcomes.verified = row.n;
      outcomes.bytesVerified = row.bytes;
    } else if (row.status === 'failed') outcomes.failed = row.n;
    else if (row.status === 'cancelled') outcomes.cancelled = row.n;
    else outcomes.unfinished += row.n;
  }
  const ended = outcomes.verified + outcomes.failed;
  outcomes.successRate = ended === 0 ? null : outcomes.verified / ended;
  return outcomes;
}

/** Verified uploads per bar and category, every bar of the range present; and the totals per category. */
export function uploadSeries(db: Database.Database, scope: Scope, bucket: 'day' | 'week'): { series: UploadSeries; byCategory: CategoryTotal[] } {
  const starts = bucketStarts(scope.since, scope.until, bucket);
  const origin = starts[0] ?? scope.since;
  const step = bucket === 'day' ? DAY_MS : 7 * DAY_MS;
  const rows = db
    .prepare(
      // CAST: better-sqlite3 binds numbers as REAL, so the division would not be whole.
      `SELECT CAST((verified_at - @origin) / @step AS INTEGER) AS bar, category, count(*) AS n, sum(size) AS bytes FROM uploads
       WHERE status = 'verified' AND verified_at >= @since AND verified_at < @until${connectionClause(scope)} GROUP BY bar, category`,
    )
    .all({ ...params(scope), origin, step }) as { bar: number; category: string; n: number; bytes: number }[];
  const byName = new Map<string, { category: string; uploads: number[]; bytes: number[] }>();
  const totals = new Map<string, CategoryTotal>();
  for (const row of rows) {
    let line = byName.get(row.category);
    if (!line) {
      line = { category: row.category, uploads: starts.map(() => 0), bytes: starts.map(() => 0) };
      byName.set(row.category, line);
    }
    line.uploads[row.bar] = row.n;
    line.bytes[row.bar] = row.bytes;
    const total = totals.get(row.category) ?? { category: row.category, uploads: 0, bytes: 0 };
    total.uploads += row.n;
    total.bytes += row.bytes;
    totals.set(row.category, total);
  }
  const byCategory = [...totals.values()].sort((a, b) => b.bytes - a.bytes || b.uploads - a.uploads || a.category.localeCompare(b.category));
  return {
    series: { bucket, buckets: starts.map(utcDay), categories: byCategory.map((total) => byName.get(total.category)!) },
    byCategory,
  };
}

/**
 * Bytes per second of each verified upload of at least one byte: its size over the time from its
 * first logged request (else from when it was queued) to its verification, at least 1 ms. The
 * first request is on the row once copied there (firstRequests.ts); until then it is looked up
 * (coalesce evaluates the look-up only for those).
 */
export function throughput(db: Database.Database, scope: Scope): Throughput {
  // The rate computed in SQL (integer division: rounded down) and read as one column: a year's
  // 100,000 uploads cross into JS a fifth faster than as objects of two fields.
  const rates = Float64Array.from(
    db
      .prepare(
        `SELECT (size * 1000) / max(1, verified_at - coalesce(first_request_at, ${FIRST_REQUEST})) FROM uploads
         WHERE status = 'verified' AND verified_at >= @since AND verified_at < @until AND size > 0${connectionClause(scope)}`,
      )
      .pluck(true)
      .all(params(scope)) as number[],
  );
  rates.sort();
  return { uploads: rates.length, medianBytesPerSecond: nearestRank(rates, 0.5), p95BytesPerSecond: nearestRank(rates, 0.95) };
}

/** The smallest value with at least `share` of the values at or below it; null for none. */
export function nearestRank(sorted: ArrayLike<number>, share: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.max(0, Math.ceil(share * sorted.length) - 1)]!;
}

export function resumeFigures(db: Database.Database, scope: Scope): ResumeFigures {
  const row = db
    .prepare(
      `SELECT count(*) AS uploads, coalesce(sum(resumes), 0) AS resumes, coalesce(sum(bytes_resumed), 0) AS bytesSaved FROM uploads
       WHERE resumes > 0 AND ${HAPPENED_AT} >= @since AND ${HAPPENED_AT} < @until${connectionClause(scope)}`,
    )
    .get(params(scope)) as ResumeFigures;
  return { uploads: row.uploads, resumes: row.resumes, bytesSaved: row.bytesSaved };
}

/** Image sets prepared within the range (for one connection: those its uploads made). */
export function imageSavings(db: Database.Database, scope: Scope): ImageSavings {
  // CROSS JOIN keeps image_sets the outer loop: a few rows per image, where SQLite would rather walk every upload.
  const join = scope.connectionId === null ? '' : ' CROSS JOIN uploads u ON u.id = s.id';
  const row = db
    .prepare(
      `SELECT count(*) AS sets, coalesce(sum(s.bytes_before), 0) AS bytesBefore, coalesce(sum(s.bytes_after), 0) AS bytesAfter FROM image_sets s${join}
       WHERE s.prepared_at >= @since AND s.prepared_at < @until${connectionClause(scope, 'u.connection_id')}`,
    )
    .get(params(scope)) as Omit<ImageSavings, 'bytesSaved'>;
  return { ...row, bytesSaved: row.bytesBefore - row.bytesAfter };
}

/** Uploads that failed within the range, by reason, most first, each with its latest file and message. */
export function uploadFailures(db: Database.Database, scope: Scope): UploadFailureReason[] {
  const failed = `status = 'failed' AND updated_at >= @since AND updated_at < @until${connectionClause(scope)}`;
  const groups = db
    .prepare(`SELECT coalesce(error_code, 'internal') AS errorCode, count(*) AS uploads, sum(size) AS bytes FROM uploads WHERE ${failed} GROUP BY 1 ORDER BY uploads DESC, errorCode`)
    .all(params(scope)) as { errorCode: string; uploads: number; bytes: number }[];
  const latest = db.prepare(
    `SELECT coalesce(origin_path, source_path) AS sourcePath, error_message AS message, updated_at AS at FROM uploads
     WHERE ${failed} AND coalesce(error_code, 'internal') = @errorCode ORDER BY updated_at DESC, id DESC LIMIT 1`,
  );
  return groups.map((group) => ({
    ...group,
    whatToDo: uploadAdvice(group.errorCode),
    latest: latest.get({ ...params(scope), errorCode: group.errorCode }) as UploadFailureReason['latest'],
  }));
}

/** The first moment any record of uploads exists (for a report without `since`), or null. */
export function firstUploadRecord(db: Database.Database): number | null {
  const row = db.prepare(`SELECT min(created_at) AS first FROM uploads`).get() as { first: number | null };
  return row.first;
}
