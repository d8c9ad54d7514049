import { mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import type { AnalyticsReport } from '../src/shared/analytics';
import { buildAnalyticsReport } from '../src/main/core/analytics/analyticsReport';
import { requestFigures, slowestOperations } from '../src/main/core/analytics/operationFigures';
import { copyFirstRequests } from '../src/main/core/analytics/firstRequests';
import { rollupOperations } from '../src/main/core/analytics/rollup';
import { imageSavings, resumeFigures, throughput, uploadFailures, uploadOutcomes, uploadSeries, type Scope } from '../src/main/core/analytics/uploadFigures';
import { DAY_MS, endOfUtcDay, startOfUtcDay } from '../src/main/core/analytics/utcDays';
import { openLedger } from '../src/main/core/ledger/database';
import { fillHistory, type HistoryCounts } from './analyticsHistory';
import type { BenchConfig } from './config';

/**
 * The analytics bench (issue 14: "a year of heavy use (1 M operations) answers in under 100 ms"):
 * a ledger filled with a year of requests and uploads (analyticsHistory.ts), migrated by the
 * engine's own migrations (so it has exactly the indexes Quire ships), then each query of the
 * report timed for the full year and for the last 30 days, before and after the rollup of
 * requests older than the retention period; the rollup itself timed, run twice (the second
 * must find nothing), and every figure of the report compared before and after it. No S3 server.
 */

export interface QueryTiming {
  phase: 'before rollup' | 'after rollup';
  range: 'year' | '30 days';
  query: string;
  /** Median and slowest of the timed runs, ms. */
  medianMs: number;
  maxMs: number;
}

export interface AnalyticsResult {
  config: BenchConfig['analytics'];
  history: HistoryCounts;
  fillSeconds: number;
  ledgerBytes: number;
  timings: QueryTiming[];
  /** The throughput query over the year on a ledger where no upload has its first request copied (the first start after the upgrade), and the copy. */
  uncopied: { medianMs: number; maxMs: number; copied: number; copySeconds: number; copyLongestBlockMs: number };
  /** longestBlockMs: the longest the event loop waited while the rollup ran (a host's UI would wait as long). */
  rollup: { seconds: number; longestBlockMs: number; operations: number; days: number; againSeconds: number; againOperations: number; operationsLeft: number; rollupRows: number; ledgerBytesAfter: number };
  /** Figures of the full-year report that differ after the rollup (none expected), by path. */
  differences: string[];
  report: AnalyticsReport;
  failure: string | null;
}

type Query = [name: string, run: (db: Database.Database, scope: Scope) => unknown];

const QUERIES: Query[] = [
  ['upload outcomes (success rate)', uploadOutcomes],
  ['uploads per day by type', (db, scope) => uploadSeries(db, scope, 'day')],
  ['uploads per week by type', (db, scope) => uploadSeries(db, scope, 'week')],
  ['throughput (median, p95)', throughput],
  ['requests, retries and reasons', requestFigures],
  ['resumes and bytes saved', resumeFigures],
  ['image bytes saved', imageSavings],
  ['failures by reason', uploadFailures],
  ['slowest requests', slowestOperations],
];

export async function measureAnalytics(config: BenchConfig, stateRoot: string, log: (message: string) => void): Promise<AnalyticsResult> {
  const c = config.analytics;
  const dataDir = join(stateRoot, 'analytics');
  await rm(dataDir, { recursive: true, force: true });
  await mkdir(dataDir, { recursive: true });
  const ledger = openLedger(dataDir, join(config.repoRoot, 'resources', 'migrations'));
  const db = ledger.$client;
  try {
    // A fixed "now" at noon UTC, so the same seed gives the same ledger and the same cut-off every run.
    const now = startOfUtcDay(Date.now()) + DAY_MS / 2;
    const filling = performance.now();
    const history = fillHistory(db, { operations: c.operations, days: c.days, now, seed: 14 });
    db.pragma('wal_checkpoint(TRUNCATE)');
    const fillSeconds = (performance.now() - filling) / 1000;
    const ledgerBytes = (await stat(join(dataDir, 'ledger.sqlite'))).size;
    log(`  ledger: ${history.uploads} uploads, ${history.operations} requests (${history.failedOperations} failed), ${history.imageSets} image sets, ${(ledgerBytes / 1e6).toFixed(0)} MB, filled in ${fillSeconds.toFixed(1)} s`);

    const until = endOfUtcDay(now);
    const year: Scope = { since: until - (c.days + 1) * DAY_MS, until, connectionId: null };
    const month: Scope = { since: until - 30 * DAY_MS, until, connectionId: null };
    // A ledger as a Quire before the analytics left it: no upload has its first request copied yet.
    const uncopied = timed(() => throughput(db, year), c.reps);
    log(`  throughput over the year, no first request copied yet: ${uncopied.medianMs.toFixed(1)} ms; copying them (the engine does at start)...`);
    const copying = performance.now();
    const copyBlock = watchEventLoop();
    const copied = await copyFirstRequests(db);
    const copyLongestBlockMs = copyBlock.stop();
    const copySeconds = (performance.now() - copying) / 1000;
    log(`  ${copied} verified uploads got their first request in ${copySeconds.toFixed(2)} s (the event loop held up ${copyLongestBlockMs.toFixed(0)} ms at most)`);
    const timings: QueryTiming[] = [];
    const timeAll = (phase: QueryTiming['phase']) => {
      for (const [range, scope] of [['year', year], ['30 days', month]] as const) {
        for (const [query, run] of QUERIES) timings.push({ phase, range, query, ...timed(() => run(db, scope), c.reps) });
        timings.push({ phase, range, query: 'the whole report', ...timed(() => buildAnalyticsReport(db, { since: scope.since, until: scope.until }, { connection: null, now }), c.reps) });
      }
      for (const t of timings.filter((t) => t.phase === phase && t.range === 'year')) log(`  ${phase}, year: ${t.query}: ${t.medianMs.toFixed(1)} ms (slowest ${t.maxMs.toFixed(1)})`);
    };
    timeAll('before rollup');
    const before = buildAnalyticsReport(db, { since: year.since, until: year.until }, { connection: null, now });

    log(`  rolling up requests older than ${c.retentionDays} days...`);
    const rolling = performance.now();
    const rollBlock = watchEventLoop();
    const first = await rollupOperations(db, { now, retentionDays: c.retentionDays });
    const longestBlockMs = rollBlock.stop();
    const seconds = (performance.now() - rolling) / 1000;
    const again = performance.now();
    const second = await rollupOperations(db, { now, retentionDays: c.retentionDays });
    const againSeconds = (performance.now() - again) / 1000;
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.exec('VACUUM');
    const operationsLeft = (db.prepare('SELECT count(*) AS n FROM operations').get() as { n: number }).n;
    const rollupRows = (db.prepare('SELECT count(*) AS n FROM operation_rollups').get() as { n: number }).n;
    const ledgerBytesAfter = (await stat(join(dataDir, 'ledger.sqlite'))).size;
    log(`  rollup: ${first.operations} requests of ${first.days} days in ${seconds.toFixed(1)} s (the event loop held up ${longestBlockMs.toFixed(0)} ms at most); again: ${second.operations} in ${againSeconds.toFixed(2)} s; ${operationsLeft} requests kept, ${rollupRows} rollup rows; ledger ${(ledgerBytesAfter / 1e6).toFixed(0)} MB after VACUUM`);

    timeAll('after rollup');
    const after = buildAnalyticsReport(db, { since: year.since, until: year.until }, { connection: null, now });
    // The slowest list may change (only requests kept one by one are in it); every other figure must not.
    const differences = diff({ ...before, slowest: [], rolledUpBefore: null }, { ...after, slowest: [], rolledUpBefore: null });
    log(differences.length === 0 ? '  every figure identical after the rollup' : `  DIFFERENT after the rollup: ${differences.slice(0, 10).join('; ')}`);
    return {
      config: c,
      history,
      fillSeconds,
      ledgerBytes,
      timings,
      uncopied: { ...uncopied, copied, copySeconds, copyLongestBlockMs },
      rollup: { seconds, longestBlockMs, operations: first.operations, days: first.days, againSeconds, againOperations: second.operations, operationsLeft, rollupRows, ledgerBytesAfter },
      differences,
      report: before,
      failure: differences.length > 0 ? `${differences.length} figure(s) changed by the rollup` : null,
    };
  } finally {
    db.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** The longest gap between turns of the event loop until stopped: how long work in between held it up. */
function watchEventLoop(): { stop: () => number } {
  let longest = 0;
  let last = performance.now();
  let running = true;
  const tick = () => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
    if (running) setImmediate(tick);
  };
  setImmediate(tick);
  return {
    stop: () => {
      running = false;
      return longest;
    },
  };
}

/** One warm-up run, then `reps` timed runs: median and slowest in ms. */
function timed(run: () => unknown, reps: number): { medianMs: number; maxMs: number } {
  run();
  const times: number[] = [];
  for (let i = 0; i < reps; i += 1) {
    const started = performance.now();
    run();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { medianMs: times[Math.floor(times.length / 2)]!, maxMs: times[times.length - 1]! };
}

/** Paths where two JSON values differ. */
function diff(a: unknown, b: unknown, path = ''): string[] {
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) return Object.is(a, b) ? [] : [`${path || '.'}: ${JSON.stringify(a)} -> ${JSON.stringify(b)}`];
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].flatMap((key) => diff((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], `${path}.${key}`));
}
