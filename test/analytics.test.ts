import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyticsTables, tableToCsv, type AnalyticsInput, type AnalyticsReport } from '../src/shared/analytics';
import { createApiHandlers, dispatch } from '../src/main/core/api';
import { buildAnalyticsReport } from '../src/main/core/analytics/analyticsReport';
import { maintainAnalytics } from '../src/main/core/analytics/maintenance';
import { openLedger } from '../src/main/core/ledger/database';
import { findResourcesDir } from '../src/main/core/paths';
import { statsCommand } from '../src/main/cli/statsCommand';
import { openProxiedWorld, type ProxiedWorld } from './support/proxiedWorld';
import { tempDir } from './support/tempDir';
import { waitFor } from './support/waitFor';

/**
 * The analytics against a ledger with a known history: real uploads to radosgw through the fault
 * proxy (a SlowDown retried, a refusal that fails an upload, a pause and a resume that spares the
 * parts already sent), then a few hundred uploads and a few thousand requests written into the
 * same ledger file over 200 days for volume and variety (every content type, image sets, each
 * kind of failure, requests of no connection and of a second one). Every figure of the report is
 * checked against what this test computes itself from the rows it reads back, not through the
 * analytics' own queries; then requests past the retention period are rolled up and every figure
 * must stay the same.
 */

const MIB = 1024 * 1024;
const DAY = 86_400_000;
const NOW = Date.now();

interface UploadRow {
  id: string;
  connection_id: string;
  source_path: string;
  origin_path: string | null;
  size: number;
  category: string;
  status: string;
  error_code: string | null;
  error_message: string | null;
  resumes: number;
  bytes_resumed: number;
  created_at: number;
  updated_at: number;
  verified_at: number | null;
}
interface OperationRow {
  id: number;
  connection_id: string | null;
  upload_id: string | null;
  operation: string;
  object_key: string | null;
  bytes_sent: number;
  duration_ms: number;
  http_status: number | null;
  success: number;
  error_code: string | null;
  started_at: number;
}
interface ImageSetRow {
  id: string;
  bytes_before: number;
  bytes_after: number;
  prepared_at: number;
}
interface Rows {
  uploads: UploadRow[];
  operations: OperationRow[];
  imageSets: ImageSetRow[];
}

function readRows(db: Database.Database): Rows {
  return {
    uploads: db.prepare('SELECT * FROM uploads').all() as UploadRow[],
    operations: db.prepare('SELECT * FROM operations').all() as OperationRow[],
    imageSets: db.prepare('SELECT * FROM image_sets').all() as ImageSetRow[],
  };
}

// The test's own calendar: Date's UTC fields, not the analytics' arithmetic.
const dayOf = (ms: number) => Date.UTC(new Date(ms).getUTCFullYear(), new Date(ms).getUTCMonth(), new Date(ms).getUTCDate());
const mondayOf = (ms: number) => dayOf(ms) - ((new Date(ms).getUTCDay() + 6) % 7) * DAY;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** What became of a failed request, as this test understands the retry rules (architecture.md). */
function kindOf(op: OperationRow): string {
  const code = op.error_code ?? 'Error';
  if (code === 'AbortError' || code === 'RequestAbortedError') return 'stopped';
  if (op.operation === 'head' && op.http_status === 404) return 'expected';
  if (op.operation === 'probe' && op.http_status === null) return 'expected';
  const network = ['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'TimeoutError'].includes(code) && op.http_status === null;
  if (network || ['SlowDown', 'RequestTimeout', 'InternalError', 'ServiceUnavailable'].includes(code) || op.http_status === 429 || (op.http_status ?? 0) >= 500) return 'retried';
  return 'refused';
}

/** The report this test expects, computed from the rows alone. */
function expectedFigures(rows: Rows, input: { since: number; until: number; connectionId: string | null; bucket: 'day' | 'week' }) {
  const { since, until, connectionId } = input;
  const inRange = (t: number | null) => t !== null && t >= since && t < until;
  const ofConnection = (id: string | null) => connectionId === null || id === connectionId;
  const uploads = rows.uploads.filter((u) => ofConnection(u.connection_id));
  const when = (u: UploadRow) => (u.status === 'verified' ? u.verified_at : u.updated_at);
  const happened = uploads.filter((u) => inRange(when(u)));
  const verified = happened.filter((u) => u.status === 'verified');
  const failed = happened.filter((u) => u.status === 'failed');
  const outcomes = {
    verified: verified.length,
    failed: failed.length,
    cancelled: happened.filter((u) => u.status === 'cancelled').length,
    unfinished: happened.filter((u) => !['verified', 'failed', 'cancelled'].includes(u.status)).length,
    bytesVerified: verified.reduce((sum, u) => sum + u.size, 0),
    successRate: verified.length + failed.length === 0 ? null : verified.length / (verified.length + failed.length),
  };

  const barOf = input.bucket === 'day' ? dayOf : mondayOf;
  const buckets: number[] = [];
  for (let t = barOf(since); t < until; t += input.bucket === 'day' ? DAY : 7 * DAY) buckets.push(t);
  const perCategory = new Map<string, { uploads: number; bytes: number; perBar: Map<number, [number, number]> }>();
  for (const u of verified) {
    const line = perCategory.get(u.category) ?? { uploads: 0, bytes: 0, perBar: new Map() };
    line.uploads += 1;
    line.bytes += u.size;
    const bar = barOf(u.verified_at!);
    const cell = line.perBar.get(bar) ?? [0, 0];
    line.perBar.set(bar, [cell[0] + 1, cell[1] + u.size]);
    perCategory.set(u.category, line);
  }
  const byCategory = [...perCategory.entries()]
    .map(([category, line]) => ({ category, uploads: line.uploads, bytes: line.bytes }))
    .sort((a, b) => b.bytes - a.bytes || b.uploads - a.uploads || a.category.localeCompare(b.category));
  const series = {
    bucket: input.bucket,
    buckets: buckets.map(isoDay),
    categories: byCategory.map(({ category }) => ({
      category,
      uploads: buckets.map((bar) => perCategory.get(category)!.perBar.get(bar)?.[0] ?? 0),
      bytes: buckets.map((bar) => perCategory.get(category)!.perBar.get(bar)?.[1] ?? 0),
    })),
  };

  // Throughput: from the upload's first logged request (else when it was queued) to verified.
  const firstRequest = new Map<string, number>();
  for (const op of rows.operations) if (op.upload_id && !(firstRequest.get(op.upload_id)! <= op.started_at)) firstRequest.set(op.upload_id, op.started_at);
  const rates = verified
    .filter((u) => u.size > 0)
    .map((u) => Math.floor((u.size * 1000) / Math.max(1, u.verified_at! - (firstRequest.get(u.id) ?? u.created_at))))
    .sort((a, b) => a - b);
  const rank = (share: number) => (rates.length === 0 ? null : rates[Math.ceil(share * rates.length) - 1]!);
  const throughput = { uploads: rates.length, medianBytesPerSecond: rank(0.5), p95BytesPerSecond: rank(0.95) };

  const operations = rows.operations.filter((op) => inRange(op.started_at) && ofConnection(op.connection_id));
  const failedOps = operations.filter((op) => op.success === 0);
  const failedBy = { retried: 0, refused: 0, expected: 0, stopped: 0 } as Record<string, number>;
  const reasons = new Map<string, { errorCode: string; httpStatus: number | null; kind: string; count: number }>();
  for (const op of failedOps) {
    const kind = kindOf(op);
    failedBy[kind]! += 1;
    const key = `${op.error_code}|${op.http_status}|${kind}`;
    const reason = reasons.get(key) ?? { errorCode: op.error_code ?? 'Error', httpStatus: op.http_status, kind, count: 0 };
    reason.count += 1;
    reasons.set(key, reason);
  }
  const counted = operations.length - failedBy.expected! - failedBy.stopped!;
  const requests = {
    total: operations.length,
    succeeded: operations.length - failedOps.length,
    failed: failedOps.length,
    failedBy,
    successRate: counted === 0 ? null : (operations.length - failedOps.length) / counted,
  };

  const resumed = happened.filter((u) => u.resumes > 0);
  const resumes = { uploads: resumed.length, resumes: resumed.reduce((s, u) => s + u.resumes, 0), bytesSaved: resumed.reduce((s, u) => s + u.bytes_resumed, 0) };

  const setConnection = new Map(rows.uploads.map((u) => [u.id, u.connection_id]));
  const sets = rows.imageSets.filter((s) => inRange(s.prepared_at) && ofConnection(setConnection.get(s.id) ?? null));
  const bytesBefore = sets.reduce((s, set) => s + set.bytes_before, 0);
  const bytesAfter = sets.reduce((s, set) => s + set.bytes_after, 0);
  const images = { sets: sets.length, bytesBefore, bytesAfter, bytesSaved: bytesBefore - bytesAfter };

  const failureGroups = new Map<string, UploadRow[]>();
  for (const u of uploads.filter((u) => u.status === 'failed' && inRange(u.updated_at))) failureGroups.set(u.error_code ?? 'internal', [...(failureGroups.get(u.error_code ?? 'internal') ?? []), u]);
  const failures = [...failureGroups.entries()]
    .map(([errorCode, group]) => {
      const latest = [...group].sort((a, b) => b.updated_at - a.updated_at || b.id.localeCompare(a.id))[0]!;
      return {
        errorCode,
        uploads: group.length,
        bytes: group.reduce((s, u) => s + u.size, 0),
        latest: { sourcePath: latest.origin_path ?? latest.source_path, message: latest.error_message, at: latest.updated_at },
      };
    })
    .sort((a, b) => b.uploads - a.uploads || a.errorCode.localeCompare(b.errorCode));

  const slowest = [...operations]
    .sort((a, b) => b.duration_ms - a.duration_ms || b.started_at - a.started_at || b.id - a.id)
    .slice(0, 10)
    .map((op) => ({ operation: op.operation, objectKey: op.object_key, durationMs: op.duration_ms, startedAt: op.started_at, success: op.success === 1, errorCode: op.error_code }));

  return { outcomes, series, byCategory, throughput, requests, reasons: [...reasons.values()], resumes, images, failures, slowest };
}

function expectFigures(report: AnalyticsReport, rows: Rows, input: { since: number; until: number; connectionId: string | null; bucket: 'day' | 'week' }, options: { slowest: boolean } = { slowest: true }) {
  const want = expectedFigures(rows, input);
  expect(report.range).toEqual({ since: input.since, until: input.until });
  expect(report.uploads).toEqual(want.outcomes);
  expect(report.series).toEqual(want.series);
  expect(report.byCategory).toEqual(want.byCategory);
  expect(report.throughput).toEqual(want.throughput);
  expect(report.requests).toEqual(want.requests);
  const reasonKey = (r: { errorCode: string; httpStatus: number | null; kind: string }) => `${r.errorCode}|${r.httpStatus}|${r.kind}`;
  expect(report.requestFailures.map(({ errorCode, httpStatus, kind, count }) => ({ errorCode, httpStatus, kind, count })).sort((a, b) => reasonKey(a).localeCompare(reasonKey(b)))).toEqual(
    want.reasons.sort((a, b) => reasonKey(a).localeCompare(reasonKey(b))),
  );
  // Most frequent first, each said in words.
  const counts = report.requestFailures.map((r) => r.count);
  expect(counts).toEqual([...counts].sort((a, b) => b - a));
  for (const reason of report.requestFailures) expect(reason.meaning.length).toBeGreaterThan(30);
  expect(report.resumes).toEqual(want.resumes);
  expect(report.images).toEqual(want.images);
  expect(report.failures.map(({ whatToDo: _, ...rest }) => rest)).toEqual(want.failures);
  for (const failure of report.failures) expect(failure.whatToDo.length).toBeGreaterThan(20);
  if (options.slowest) expect(report.slowest.map(({ operation, objectKey, durationMs, startedAt, success, errorCode }) => ({ operation, objectKey, durationMs, startedAt, success, errorCode }))).toEqual(want.slowest);
  return want;
}

/** A seeded generator, so a failure can be replayed. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * 400 uploads over the last 200 days (two connections) with their requests, some failing first
 * for each kind of reason, some failed, cancelled, resumed, image sets, requests of no connection.
 */
function writeHistory(db: Database.Database, connectionId: string): void {
  const rand = seeded(14);
  const pick = <T,>(items: T[]) => items[Math.floor(rand() * items.length)]!;
  db.prepare(
    `INSERT INTO connections (id, name, provider, endpoint, region, bucket, max_file_size, access_key_id, created_at, updated_at)
     VALUES ('c-second', 'second', 's3_compatible', 'http://127.0.0.1:9', 'us-east-1', 'second', 5368709120, 'K', 0, 0)`,
  ).run();
  const insertUpload = db.prepare(
    `INSERT INTO uploads (id, connection_id, source_path, size, mtime_ms, fingerprint, object_key, content_type, category, visibility, status, method, error_code, error_message, resumes, bytes_resumed,
       image_set_id, variant, origin_path, created_at, updated_at, verified_at)
     VALUES (@id, @connection, @source, @size, 0, 'f', @key, 'application/octet-stream', @category, 'private', @status, @method, @errorCode, @errorMessage, @resumes, @bytesResumed,
       @setId, @variant, @origin, @created, @updated, @verified)`,
  );
  const insertOperation = db.prepare(
    `INSERT INTO operations (connection_id, upload_id, operation, object_key, http_method, bytes_sent, duration_ms, http_status, success, error_code, started_at)
     VALUES (?, ?, ?, ?, 'PUT', ?, ?, ?, ?, ?, ?)`,
  );
  const insertSet = db.prepare(
    `INSERT INTO image_sets (id, source_path, source_sha256, preset, format, width, height, dominant_color, bytes_before, bytes_after, variant_count, original_kept, cache_hit, prepared_at)
     VALUES (?, ?, 'sha', 'web', 'webp', 3000, 2000, '#336699', ?, ?, 4, 1, 0, ?)`,
  );
  const categories = ['manuscript', 'cover', 'book-asset', 'audio', 'audio-full', 'audio-sample', 'avatar', 'branding', 'video', 'other'];
  const requestFailures: [string, string | null, number | null][] = [
    ['upload_part', 'SlowDown', 503],
    ['upload_part', 'ECONNRESET', null],
    ['upload', 'RequestTimeout', 400],
    ['complete_multipart', 'InternalError', 500],
    ['upload_part', 'AbortError', null],
    ['upload', 'AccessDenied', 403],
    ['list_parts', 'NoSuchUpload', 404],
    ['upload', 'Bad Gateway', 502],
  ];
  db.transaction(() => {
    for (let i = 0; i < 400; i += 1) {
      const id = `00000000-0000-4000-a000-${i.toString(16).padStart(12, '0')}`;
      const connection = rand() < 0.7 ? connectionId : 'c-second';
      const start = NOW - Math.floor(rand() * 200 * DAY);
      const size = i % 37 === 0 ? 0 : Math.floor(rand() * 50 * MIB);
      const fate = rand();
      const status = fate < 0.08 ? 'failed' : fate < 0.12 ? 'cancelled' : fate < 0.15 ? pick(['queued', 'paused', 'waiting']) : 'verified';
      let t = start;
      const requests = i % 11 === 0 ? 0 : 1 + Math.floor(rand() * 6);
      for (let r = 0; r < requests; r += 1) {
        if (r === 0 && rand() < 0.5) insertOperation.run(connection, id, 'head', `k/${i}`, 0, 20, 404, 0, 'NotFound', t);
        if (rand() < 0.2) {
          const [operation, code, httpStatus] = pick(requestFailures);
          insertOperation.run(connection, id, operation, `k/${i}`, 0, Math.floor(rand() * 5000), httpStatus, 0, code, t);
        }
        const took = 50 + Math.floor(rand() * 20_000);
        insertOperation.run(connection, id, 'upload_part', `k/${i}`, Math.floor(size / requests), took, 200, 1, null, t + 1);
        t += took + 2;
      }
      const failure = status === 'failed' ? pick(['endpoint_unreachable', 'access_denied', 'file_changed']) : null;
      const resumes = status === 'verified' && rand() < 0.1 ? 1 + Math.floor(rand() * 2) : 0;
      const image = rand() < 0.15;
      insertUpload.run({
        id,
        connection,
        // A name and a message that need quoting in CSV.
        source: `/books/${i}, "draft".bin`,
        size,
        key: `k/${i}`,
        category: pick(categories),
        status,
        method: size > 10 * MIB ? 'multipart' : 'single',
        errorCode: failure,
        errorMessage: failure ? `/books/${i}, "draft".bin: it failed,\nsay "why"` : null,
        resumes,
        bytesResumed: resumes * 10 * MIB,
        setId: image ? id : null,
        variant: image ? 'original' : null,
        origin: image && rand() < 0.5 ? `/photos/${i}.jpg` : null,
        created: start - Math.floor(rand() * 3_600_000),
        updated: t + 5,
        verified: status === 'verified' ? t + 5 : null,
      });
      if (image) insertSet.run(id, `/photos/${i}.jpg`, size + 1_000_000, Math.floor(size / 4), start - 1000);
    }
    // Requests of no upload: connection tests, the janitor, offline checks.
    for (let i = 0; i < 300; i += 1) {
      const offline = i % 3 === 0;
      insertOperation.run(i % 5 === 0 ? null : connectionId, null, offline ? 'probe' : 'list', null, 0, 10 + i, offline ? null : 200, offline ? 0 : 1, offline ? 'ECONNREFUSED' : null, NOW - Math.floor(rand() * 200 * DAY));
    }
  })();
}

/** RFC 4180, as a spreadsheet reads it: quoted fields may hold commas, doubled quotes and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i += 1;
    } else field += c;
  }
  expect(field).toBe('');
  expect(row).toEqual([]);
  return rows;
}

describe('analytics over a known history', () => {
  let world: ProxiedWorld;
  let db: Database.Database;
  const cleanups: (() => void | Promise<void>)[] = [];

  beforeAll(async () => {
    world = await openProxiedWorld((cleanup) => cleanups.push(cleanup), 'analytics', { bandwidthLimit: 10 * MIB });
    // A multipart file whose first part is answered SlowDown once (retried), a small one the
    // server refuses (403: failed, not retried), and a small one that goes through.
    const chapter = await world.queueFile('chapter-01.mp3', 12 * MIB);
    const refused = await world.queueFile('refused.pdf', 4096);
    const note = await world.queueFile('note.txt', 1000);
    world.proxy.failNext(1, { kind: 'respond', status: 503, code: 'SlowDown' }, 'part');
    world.proxy.addRule((request) => (request.op === 'put' && request.path.endsWith('refused.pdf') ? { kind: 'respond', status: 403, code: 'AccessDenied' } : null));
    expect(await world.engine.run()).toMatchObject({ verified: 2, failed: 1 });
    expect(world.engine.uploads.get(refused.id)).toMatchObject({ status: 'failed', errorCode: 'access_denied' });
    // Paused after its first part, then resumed: the part in the bucket is not sent again.
    const audiobook = await world.queueFile('audiobook.m4b', 30 * MIB);
    const { running } = await world.runUntilParts(audiobook, 1);
    world.engine.pause([audiobook.id]);
    await running;
    world.engine.resume([audiobook.id]);
    expect(await world.engine.run()).toMatchObject({ verified: 1 });
    expect(world.engine.uploads.get(audiobook.id)!.resumes).toBe(1);
    expect(world.engine.uploads.get(audiobook.id)!.bytesResumed).toBeGreaterThanOrEqual(10 * MIB);
    // Each start copies the first request of the uploads verified before it, in the background
    // (the last run's start: the first run's two): let it finish before writing more. The
    // audiobook, verified since, is left for the next start; the report looks its request up.
    db = new Database(join(world.dataDir, 'ledger.sqlite'));
    db.pragma('busy_timeout = 5000');
    await waitFor('first requests copied', () => [chapter, note].every((f) => (db.prepare('SELECT first_request_at AS t FROM uploads WHERE id = ?').get(f.id) as { t: number | null }).t !== null));
    await new Promise((resolve) => setTimeout(resolve, 300));
    writeHistory(db, world.connection.id);
  }, 120_000);

  afterAll(async () => {
    db?.close();
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  const until = dayOf(NOW) + DAY;
  const report = (input: AnalyticsInput) => world.engine.analytics(input);

  it('counts every figure as the rows say: all of the history, by day', () => {
    const rows = readRows(db);
    // The real uploads are in it: the retried SlowDown, the refusal, the resume.
    expect(rows.operations.some((op) => op.error_code === 'SlowDown' && op.http_status === 503 && op.upload_id !== null)).toBe(true);
    expect(rows.operations.some((op) => op.error_code === 'AccessDenied' && op.http_status === 403)).toBe(true);
    const first = Math.min(...rows.uploads.map((u) => u.created_at), ...rows.operations.map((op) => op.started_at));
    const all = report({ until: NOW });
    const want = expectFigures(all, rows, { since: dayOf(first), until, connectionId: null, bucket: 'day' });
    expect(all.connection).toBeNull();
    expect(all.series.buckets.length).toBeGreaterThan(190);
    // The history has a bit of everything, so no figure above is checked against zero alone.
    expect(want.outcomes).toMatchObject({ verified: expect.any(Number), failed: expect.any(Number) });
    expect(Math.min(want.outcomes.verified, want.outcomes.failed, want.outcomes.cancelled, want.outcomes.unfinished)).toBeGreaterThan(0);
    expect(Math.min(...Object.values(want.requests.failedBy))).toBeGreaterThan(0);
    expect(want.resumes.uploads).toBeGreaterThan(1);
    expect(want.images.sets).toBeGreaterThan(10);
    expect(want.failures.length).toBeGreaterThanOrEqual(3);
    expect(all.rolledUpBefore).toBeNull();
    // And plainly: SlowDown is retried and says so; a 404 on HEAD is a free name, not a failure.
    expect(all.requestFailures.find((r) => r.errorCode === 'SlowDown')).toMatchObject({ kind: 'retried', httpStatus: 503, meaning: expect.stringMatching(/slow down/i) });
    expect(all.requestFailures.find((r) => r.errorCode === 'NotFound')).toMatchObject({ kind: 'expected', httpStatus: 404 });
    expect(all.failures.find((f) => f.errorCode === 'access_denied')!.whatToDo).toMatch(/write access/);
  });

  it('counts one connection over the last 30 days, and by week', () => {
    const rows = readRows(db);
    const since = NOW - 29 * DAY;
    const month = report({ since, until: NOW, connection: 'test' });
    expect(month.connection).toBe('test');
    expectFigures(month, rows, { since: dayOf(since), until, connectionId: world.connection.id, bucket: 'day' });
    expect(month.series.buckets).toHaveLength(30);
    const second = report({ since: NOW - 120 * DAY, until: NOW - 40 * DAY, connection: 'second', bucket: 'week' });
    expectFigures(second, rows, { since: dayOf(NOW - 120 * DAY), until: dayOf(NOW - 40 * DAY) + DAY, connectionId: 'c-second', bucket: 'week' });
    expect(new Date(`${second.series.buckets[0]}T00:00:00Z`).getUTCDay()).toBe(1);
  });

  it('refuses what it cannot answer, as a usage error or a missing connection', async () => {
    const handlers = createApiHandlers(world.engine);
    expect(await dispatch(handlers, 'stats.get', { since: 10, until: 5 })).toMatchObject({ ok: false, error: { code: 'usage', message: 'since: since must come before until' } });
    expect(await dispatch(handlers, 'stats.get', { bucket: 'month' })).toMatchObject({ ok: false, error: { code: 'usage' } });
    expect(await dispatch(handlers, 'stats.get', { connection: 'nope' })).toMatchObject({ ok: false, error: { code: 'connection_not_found' } });
    // The whole report crosses the wire as JSON, unchanged.
    const outcome = await dispatch(handlers, 'stats.get', { since: NOW - 10 * DAY });
    expect(outcome.ok).toBe(true);
    if (outcome.ok) expect(JSON.parse(JSON.stringify(outcome.value))).toEqual(outcome.value);
  });

  it('exports each table as CSV that parses back to the same rows', async () => {
    const all = report({ until: NOW });
    const tables = analyticsTables(all);
    expect(tables.map((t) => t.name)).toEqual(['summary', 'uploads', 'categories', 'requests', 'failures', 'slowest']);
    for (const table of tables) {
      const text = tableToCsv(table);
      expect(text.endsWith('\r\n')).toBe(true);
      const parsed = parseCsv(text);
      expect(parsed).toEqual([table.columns, ...table.rows.map((row) => row.map((cell) => (cell === null ? '' : String(cell))))]);
    }
    // The per-day table holds every verified upload once.
    const uploads = tables.find((t) => t.name === 'uploads')!;
    expect(uploads.rows.reduce((sum, row) => sum + Number(row[2]), 0)).toBe(all.uploads.verified);
    // A failure's file name and message, with their commas, quotes and line break, survive.
    const failures = parseCsv(tableToCsv(tables.find((t) => t.name === 'failures')!));
    expect(failures.some((row) => row.some((cell) => cell.includes(', "draft".bin: it failed,\nsay "why"')))).toBe(true);

    // quire stats --csv TABLE prints that table alone; --json the report.
    const written: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string) => written.push(chunk) > 0) as typeof process.stdout.write;
    const calls: AnalyticsInput[] = [];
    const call = async (input: AnalyticsInput) => {
      calls.push(input);
      return report(input);
    };
    try {
      await statsCommand(call, ['categories'], { csv: true, since: '30d', connection: 'test' }, NOW);
      const csv = written.join('');
      written.length = 0;
      await statsCommand(call, [], { json: true, since: '2w', until: '7d' }, NOW);
      const json = JSON.parse(written.join('')) as AnalyticsReport;
      written.length = 0;
      await statsCommand(call, [], { since: 'all', until: isoDay(NOW) }, NOW);
      expect(written.join('')).toMatch(/Uploads: \d+ verified/);
      expect(parseCsv(csv)).toEqual([['category', 'uploads', 'bytes'], ...report(calls[0]!).byCategory.map((c) => [c.category, String(c.uploads), String(c.bytes)])]);
      // 30d: the last 30 days, today included; a date given to --until is included whole.
      expect(calls[0]).toEqual({ since: dayOf(NOW) - 29 * DAY, until: undefined, connection: 'test' });
      expect(json.range).toEqual({ since: dayOf(NOW) - 13 * DAY, until: dayOf(NOW - 7 * DAY) + DAY });
      expect(calls[2]).toMatchObject({ since: undefined, until: dayOf(NOW) + 1 });
    } finally {
      process.stdout.write = write;
    }
    await expect(statsCommand(call, [], { since: 'last year' }, NOW)).rejects.toMatchObject({ code: 'usage' });
    await expect(statsCommand(call, ['uploads'], {}, NOW)).rejects.toMatchObject({ code: 'usage' });
  });

  it('keeps every figure exact when requests past the retention period are rolled up, and rolling up again changes nothing', async () => {
    const before = readRows(db);
    const first = Math.min(...before.uploads.map((u) => u.created_at), ...before.operations.map((op) => op.started_at));
    const inputs: AnalyticsInput[] = [{ until: NOW }, { since: NOW - 150 * DAY, until: NOW - 95 * DAY, bucket: 'week' }, { since: NOW - 120 * DAY, connection: 'second' }];
    const reports = inputs.map(report);
    const cutoff = dayOf(NOW - 90 * DAY);
    const old = before.operations.filter((op) => op.started_at < cutoff);
    expect(old.length).toBeGreaterThan(500);

    const done = await maintainAnalytics(db, { now: NOW });
    expect(done.rollup).toMatchObject({ operations: old.length, cutoff });
    const after = readRows(db);
    expect(after.operations.filter((op) => op.started_at < cutoff)).toEqual([]);
    expect(after.operations).toEqual(before.operations.filter((op) => op.started_at >= cutoff));
    // The rollups hold every old request, by day and kind, with their bytes and time.
    const rolled = db.prepare('SELECT day, connection_id, operation, success, error_code, http_status, count, bytes_sent, duration_ms FROM operation_rollups').all() as Record<string, number | string>[];
    expect(rolled.reduce((sum, r) => sum + Number(r.count), 0)).toBe(old.length);
    expect(rolled.reduce((sum, r) => sum + Number(r.bytes_sent), 0)).toBe(old.reduce((sum, op) => sum + op.bytes_sent, 0));
    expect(rolled.reduce((sum, r) => sum + Number(r.duration_ms), 0)).toBe(old.reduce((sum, op) => sum + op.duration_ms, 0));
    expect(new Set(rolled.map((r) => `${r.day}|${r.connection_id}|${r.operation}|${r.success}|${r.error_code}|${r.http_status}`)).size).toBe(rolled.length);
    expect(rolled.find((r) => r.error_code === 'SlowDown')).toMatchObject({ http_status: 503 });
    // Every upload with an old request has its first one on its row now, as does every verified upload.
    const firstRequest = new Map<string, number>();
    for (const op of before.operations) if (op.upload_id && !(firstRequest.get(op.upload_id)! <= op.started_at)) firstRequest.set(op.upload_id, op.started_at);
    const copied = new Map((db.prepare('SELECT id, first_request_at AS t, created_at AS c, status FROM uploads').all() as { id: string; t: number | null; c: number; status: string }[]).map((u) => [u.id, u]));
    for (const op of old) if (op.upload_id) expect(copied.get(op.upload_id)!.t).toBe(firstRequest.get(op.upload_id));
    for (const u of copied.values()) if (u.status === 'verified') expect(u.t).toBe(firstRequest.get(u.id) ?? u.c);

    const again = inputs.map(report);
    for (const [i, input] of inputs.entries()) {
      // The same figures, from rollups and rows together; only the slowest come from the rows kept.
      expect({ ...again[i]!, slowest: [], rolledUpBefore: null, generatedAt: 0 }).toEqual({ ...reports[i]!, slowest: [], rolledUpBefore: null, generatedAt: 0 });
      expect(again[i]!.rolledUpBefore).toBe(isoDay(cutoff));
      const since = input.since === undefined ? dayOf(first) : dayOf(input.since);
      const end = dayOf(input.until ?? NOW) + DAY;
      // Checked against the rows as they were, except the slowest: against the rows kept.
      expectFigures(again[i]!, before, { since, until: end, connectionId: input.connection === 'second' ? 'c-second' : null, bucket: input.bucket ?? 'day' }, { slowest: false });
      expect(again[i]!.slowest.map((s) => s.startedAt)).toEqual(expectedFigures(after, { since, until: end, connectionId: input.connection === 'second' ? 'c-second' : null, bucket: 'day' }).slowest.map((s) => s.startedAt));
    }

    // Again: nothing left to roll up, nothing changes.
    expect((await maintainAnalytics(db, { now: NOW })).rollup.operations).toBe(0);
    expect(inputs.map(report).map((r) => ({ ...r, generatedAt: 0 }))).toEqual(again.map((r) => ({ ...r, generatedAt: 0 })));
  });
});

describe('analytics migrations', () => {
  const migrationsDir = join(findResourcesDir(), 'migrations');

  /** The committed migrations before `tag`: a ledger as an older Quire left it. */
  function migrationsBefore(dir: string, tag: string): string {
    const journal = JSON.parse(readFileSync(join(migrationsDir, 'meta', '_journal.json'), 'utf8')) as { entries: { tag: string }[] };
    const entries = journal.entries.slice(0, journal.entries.findIndex((entry) => entry.tag === tag));
    const before = join(dir, `before-${tag}`);
    mkdirSync(join(before, 'meta'), { recursive: true });
    for (const entry of entries) cpSync(join(migrationsDir, `${entry.tag}.sql`), join(before, `${entry.tag}.sql`));
    writeFileSync(join(before, 'meta', '_journal.json'), JSON.stringify({ ...journal, entries }));
    return before;
  }

  it('0008 and 0009 keep rollups (with no HTTP status) and uploads (with no first request copied), and the report reads them', () => {
    const dir = tempDir('analytics-migrate');
    const old = openLedger(join(dir, 'data'), migrationsBefore(dir, '0008_analytics_indexes'));
    old.$client.exec(`
      INSERT INTO connections (id, name, provider, endpoint, region, bucket, max_file_size, access_key_id, created_at, updated_at)
        VALUES ('c1', 'space', 's3_compatible', 'http://127.0.0.1:1', 'nyc3', 'b', 5368709120, 'K', 1, 1);
      INSERT INTO uploads (id, connection_id, source_path, size, mtime_ms, fingerprint, object_key, content_type, category, visibility, status, method, created_at, updated_at, verified_at)
        VALUES ('u1', 'c1', '/a.pdf', 2000, 1, 'f', 'books/content/a.pdf', 'application/pdf', 'manuscript', 'private', 'verified', 'single', 86400000, 86401000, 86402000);
      INSERT INTO operations (connection_id, upload_id, operation, bytes_sent, duration_ms, http_status, success, error_code, started_at)
        VALUES ('c1', 'u1', 'upload', 2000, 500, 200, 1, NULL, 86401000);
      INSERT INTO operation_rollups (day, connection_id, operation, success, error_code, count, bytes_sent, duration_ms)
        VALUES ('1970-01-01', 'c1', 'upload_part', 0, 'SlowDown', 3, 0, 90);
    `);
    old.$client.close();
    const db = openLedger(join(dir, 'data'), migrationsDir).$client;
    try {
      expect(db.prepare('SELECT * FROM operation_rollups').all()).toEqual([{ day: '1970-01-01', connection_id: 'c1', operation: 'upload_part', success: 0, error_code: 'SlowDown', http_status: 0, count: 3, bytes_sent: 0, duration_ms: 90 }]);
      expect(db.prepare('SELECT first_request_at FROM uploads').get()).toEqual({ first_request_at: null });
      const indexes = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE '%_idx'").all() as { name: string }[]).map((r) => r.name);
      expect(indexes).toEqual(expect.arrayContaining(['uploads_verified_idx', 'uploads_status_updated_idx', 'uploads_resumed_idx', 'operations_failed_idx', 'operations_duration_idx', 'operations_upload_idx', 'operations_started_idx']));
      // The old rollup is counted (a SlowDown is retried whatever its status), the upload's throughput timed from its request.
      const read = buildAnalyticsReport(db, { until: 2 * 86_400_000 }, { connection: null, now: 2 * 86_400_000 });
      expect(read.requests).toMatchObject({ total: 4, failed: 3, failedBy: { retried: 3, refused: 0, expected: 0, stopped: 0 } });
      expect(read.requestFailures).toMatchObject([{ errorCode: 'SlowDown', httpStatus: null, kind: 'retried', count: 3 }]);
      expect(read.throughput).toEqual({ uploads: 1, medianBytesPerSecond: 2000, p95BytesPerSecond: 2000 });
    } finally {
      db.close();
    }
  });
});
