import type Database from 'better-sqlite3';
import { requestOutcomeKinds, type RequestFailureReason, type RequestFigures, type RequestOutcomeKind, type SlowOperation } from '../../../shared/analytics';
import { outcomeOf, requestMeaning } from './reasons';
import type { Scope } from './uploadFigures';
import { DAY_MS, utcDay } from './utcDays';

/**
 * The analytics read from the requests: the operations still kept one by one, plus the daily
 * rollups of older ones (rollup.ts), so each figure counts every request exactly once whether it
 * was rolled up or not. A scope is whole UTC days, so a rolled-up day is either wholly in it or
 * wholly out.
 */

/** A failed request's reason as both tables can give it: '' and 0 in a rollup stand for none. */
interface FailureGroup {
  operation: string;
  errorCode: string;
  httpStatus: number | null;
  n: number;
}

/** An error code the gateway always writes; '' or null (a row from elsewhere) reads as this. */
const UNNAMED_ERROR = 'Error';

function rawClause(scope: Scope): string {
  return `started_at >= @since AND started_at < @until${scope.connectionId === null ? '' : ' AND connection_id = @connectionId'}`;
}

function rolledClause(scope: Scope): string {
  return `day >= @sinceDay AND day < @untilDay${scope.connectionId === null ? '' : ' AND connection_id = @connectionId'}`;
}

function rawParams(scope: Scope): Record<string, number | string> {
  return scope.connectionId === null ? { since: scope.since, until: scope.until } : { since: scope.since, until: scope.until, connectionId: scope.connectionId };
}

function rolledParams(scope: Scope): Record<string, string> {
  // Days are compared as text: 'YYYY-MM-DD' sorts as the dates do.
  const days = { sinceDay: utcDay(scope.since), untilDay: utcDay(scope.until) };
  return scope.connectionId === null ? days : { ...days, connectionId: scope.connectionId };
}

/** Requests in the scope, how many failed and what became of them, and the reasons they failed. */
export function requestFigures(db: Database.Database, scope: Scope): { requests: RequestFigures; reasons: RequestFailureReason[] } {
  const raw = db.prepare(`SELECT count(*) AS n FROM operations WHERE ${rawClause(scope)}`).get(rawParams(scope)) as { n: number };
  const rolled = db.prepare(`SELECT coalesce(sum(count), 0) AS n FROM operation_rollups WHERE ${rolledClause(scope)}`).get(rolledParams(scope)) as { n: number };
  const groups = [
    ...(db
      .prepare(
        // Grouped in the index's order (operations_failed_idx), so the failures are counted as they
        // are read, without sorting; INDEXED BY, as without statistics SQLite would rather walk every
        // request of the range. A null and an empty code are merged below.
        `SELECT operation, coalesce(nullif(error_code, ''), '${UNNAMED_ERROR}') AS errorCode, http_status AS httpStatus, count(*) AS n FROM operations INDEXED BY operations_failed_idx
         WHERE success = 0 AND ${rawClause(scope)} GROUP BY operation, error_code, http_status`,
      )
      .all(rawParams(scope)) as FailureGroup[]),
    ...(db
      .prepare(
        `SELECT operation, coalesce(nullif(error_code, ''), '${UNNAMED_ERROR}') AS errorCode, nullif(http_status, 0) AS httpStatus, sum(count) AS n FROM operation_rollups
         WHERE success = 0 AND ${rolledClause(scope)} GROUP BY 1, 2, 3`,
      )
      .all(rolledParams(scope)) as FailureGroup[]),
  ];
  const failedBy = Object.fromEntries(requestOutcomeKinds.map((kind) => [kind, 0])) as Record<RequestOutcomeKind, number>;
  const reasons = new Map<string, RequestFailureReason>();
  for (const group of groups) {
    const kind = outcomeOf(group);
    failedBy[kind] += group.n;
    // The meaning is part of the key: the same answer can mean two things (a 404 to a HEAD is a
    // free name, to an offline check a missing bucket), and a row must not take whichever came first.
    const meaning = requestMeaning(group, kind);
    const key = `${kind}\u0000${group.errorCode}\u0000${group.httpStatus ?? ''}\u0000${meaning}`;
    const reason = reasons.get(key);
    if (reason) reason.count += group.n;
    else reasons.set(key, { errorCode: group.errorCode, httpStatus: group.httpStatus, kind, count: group.n, meaning });
  }
  const total = raw.n + rolled.n;
  const failed = requestOutcomeKinds.reduce((sum, kind) => sum + failedBy[kind], 0);
  const counted = total - failedBy.expected - failedBy.stopped;
  return {
    requests: { total, succeeded: total - failed, failed, failedBy, successRate: counted === 0 ? null : (total - failed) / counted },
    reasons: [...reasons.values()].sort((a, b) => b.count - a.count || a.errorCode.localeCompare(b.errorCode) || (a.httpStatus ?? 0) - (b.httpStatus ?? 0) || a.kind.localeCompare(b.kind) || a.meaning.localeCompare(b.meaning)),
  };
}

/** How far down the slowest requests of all time to look for those of the range before sorting the range instead. */
const SLOWEST_SCAN_BOUND = 50_000;

/**
 * The slowest requests kept one by one (rolled-up days keep only totals), slowest first (then
 * the later, then the last logged). Two ways to find them, for the same answer: down the
 * slowest of all time (operations_duration_idx) until enough fall in the range, which is quick
 * when the range holds a fair share of the requests (a year, a month); else, when the first
 * 50,000 of all time held too few of the range's, by sorting the range's own requests, which
 * are then few.
 */
export function slowestOperations(db: Database.Database, scope: Scope, limit = 10): SlowOperation[] {
  const params = { ...rawParams(scope), limit };
  let ids = (
    db
      .prepare(
        `SELECT id FROM (SELECT id, started_at, connection_id FROM operations INDEXED BY operations_duration_idx ORDER BY duration_ms DESC, started_at DESC, id DESC LIMIT ${SLOWEST_SCAN_BOUND})
         WHERE ${rawClause(scope)} LIMIT @limit`,
      )
      .all(params) as { id: number }[]
  ).map((row) => row.id);
  if (ids.length < limit) {
    ids = (
      db
        .prepare(`SELECT id FROM operations INDEXED BY operations_started_idx WHERE ${rawClause(scope)} ORDER BY duration_ms DESC, started_at DESC, id DESC LIMIT @limit`)
        .all(params) as { id: number }[]
    ).map((row) => row.id);
  }
  const rows = db
    .prepare(
      `SELECT operation, object_key AS objectKey, duration_ms AS durationMs, started_at AS startedAt, bytes_sent AS bytesSent, success, http_status AS httpStatus,
              error_code AS errorCode, upload_id AS uploadId
       FROM operations WHERE id IN (SELECT value FROM json_each(@ids)) ORDER BY duration_ms DESC, started_at DESC, id DESC`,
    )
    .all({ ids: JSON.stringify(ids) }) as (Omit<SlowOperation, 'success'> & { success: number })[];
  return rows.map((row) => ({ ...row, success: row.success === 1 }));
}

/** The day after the last rolled-up one: days before it hold rollups. Null when nothing is rolled up. */
export function rolledUpBefore(db: Database.Database): string | null {
  const row = db.prepare(`SELECT max(day) AS last FROM operation_rollups`).get() as { last: string | null };
  return row.last === null ? null : utcDay(Date.parse(`${row.last}T00:00:00.000Z`) + DAY_MS);
}

/** The first moment any request was recorded (kept or rolled up), or null. */
export function firstRequestRecord(db: Database.Database): number | null {
  const raw = db.prepare(`SELECT min(started_at) AS first FROM operations`).get() as { first: number | null };
  const rolled = db.prepare(`SELECT min(day) AS first FROM operation_rollups`).get() as { first: string | null };
  const candidates = [raw.first, rolled.first === null ? null : Date.parse(`${rolled.first}T00:00:00.000Z`)].filter((t): t is number => t !== null);
  return candidates.length === 0 ? null : Math.min(...candidates);
}
