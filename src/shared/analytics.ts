import { z } from 'zod';

/**
 * How the author's uploads go (issue 14's analytics), read from the ledger's uploads, image sets,
 * operations and their daily rollups. Shared so the CLI, the UI's charts and their table views
 * and CSV exports show the same figures: the report is plain JSON (numbers, strings, null), and
 * every figure is exact, counted from rows rather than sampled.
 *
 * Time. Every range is whole UTC days: `since` is taken back to the start of its UTC day and
 * `until` (exclusive) on to the end of its day. Old requests are kept as one row per UTC day
 * (operation_rollups), and a day can only be counted whole; whole days also keep the first and
 * last bars of a chart comparable with the others. Weeks start on Monday (UTC).
 *
 * When an upload happened: a verified one at its `verifiedAt`; a failed or cancelled one when it
 * ended; one still under way at its last change. Requests are dated when they started.
 */

export const analyticsBuckets = ['day', 'week'] as const;
export type AnalyticsBucket = (typeof analyticsBuckets)[number];

/** The most a report covers in one piece: ten years of days. */
const MAX_MS = 4_102_444_800_000; // 2100-01-01

export const analyticsInputSchema = z
  .object({
    /** From this moment (Unix ms), taken back to the start of its UTC day; without it, from the first record. */
    since: z.number().int().min(0).max(MAX_MS).optional(),
    /** Until this moment (Unix ms, exclusive), taken on to the end of its UTC day; without it, until the end of today. */
    until: z.number().int().min(0).max(MAX_MS).optional(),
    /** One connection's figures (by name); without it, every connection's. */
    connection: z.string().min(1).max(64).optional(),
    /** The width of the chart's bars; a day by default. */
    bucket: z.enum(analyticsBuckets).optional(),
  })
  .refine((input) => input.since === undefined || input.until === undefined || input.since < input.until, { message: 'since must come before until', path: ['since'] });
export type AnalyticsInput = z.infer<typeof analyticsInputSchema>;

/** Uploads by how they ended within the range. */
export interface UploadOutcomes {
  verified: number;
  failed: number;
  cancelled: number;
  /** Queued, waiting, paused or under way, last changed within the range. */
  unfinished: number;
  /** Bytes of the verified uploads. */
  bytesVerified: number;
  /** verified / (verified + failed), from 0 to 1; null when none ended either way. Cancelled uploads are left out: the author chose that. */
  successRate: number | null;
}

/**
 * Verified uploads per bar of the chart and content type (the layout's category), columnar as a
 * time-series chart takes it: `buckets[i]` is the first day of bar i ('YYYY-MM-DD', UTC), and
 * each category's `uploads[i]` and `bytes[i]` its figures in that bar. Every bar of the range is
 * there, empty ones as 0; only categories with an upload in the range are listed.
 */
export interface UploadSeries {
  bucket: AnalyticsBucket;
  buckets: string[];
  categories: { category: string; uploads: number[]; bytes: number[] }[];
}

/** The same, over the whole range, largest first (the breakdown beside the chart). */
export interface CategoryTotal {
  category: string;
  uploads: number;
  bytes: number;
}

/**
 * How fast files went up: per verified upload of at least one byte, its size over the time from
 * its first request to its verification, in bytes per second (whole, rounded down). The first
 * request is the earliest the ledger logged for it (kept through rollups); an upload with none
 * logged (from before the log, or lost to a crash) counts from when it was queued. This is the
 * time the author waited for that file once Quire started on it, pauses and retries included;
 * the time it waited in the queue behind others is not counted.
 * Percentiles are nearest-rank: the smallest value with at least that share of uploads at or below it.
 */
export interface Throughput {
  /** Uploads measured. */
  uploads: number;
  medianBytesPerSecond: number | null;
  p95BytesPerSecond: number | null;
}

/**
 * What became of failed requests:
 * - retried: a reason worth trying again (the network, a busy server, a timeout); Quire tried again;
 * - refused: a refusal trying again cannot fix (keys, permissions, a missing bucket); see `failures`;
 * - expected: an answer that is part of the work (a HEAD finding a name free, an offline check);
 * - stopped: cut off on purpose (a pause, a cancel, Quire quitting).
 */
export const requestOutcomeKinds = ['retried', 'refused', 'expected', 'stopped'] as const;
export type RequestOutcomeKind = (typeof requestOutcomeKinds)[number];

/** Requests sent to the storage server within the range. */
export interface RequestFigures {
  total: number;
  succeeded: number;
  failed: number;
  /** Failed requests by what became of them (their sum is `failed`). */
  failedBy: Record<RequestOutcomeKind, number>;
  /** succeeded / (total - expected - stopped), from 0 to 1; null with no request. */
  successRate: number | null;
}

/**
 * Failed requests by reason: the server's error code (SlowDown, AccessDenied...) or the network's
 * (ECONNRESET...), and the HTTP status it came with (null: no answer at all). Most frequent first.
 */
export interface RequestFailureReason {
  errorCode: string;
  httpStatus: number | null;
  kind: RequestOutcomeKind;
  count: number;
  /** In plain words: what it means, and whether the author should do anything. */
  meaning: string;
}

export interface ResumeFigures {
  /** Uploads that picked up at least once from parts already in the bucket. */
  uploads: number;
  /** Times they did. */
  resumes: number;
  /** Bytes those parts spared sending again, counted at each resume (a tool that starts over would have sent them again). */
  bytesSaved: number;
}

/** Images made smaller for the web before they went up (image sets prepared within the range). */
export interface ImageSavings {
  sets: number;
  bytesBefore: number;
  bytesAfter: number;
  /** bytesBefore - bytesAfter, summed over the sets (a set larger than its original counts negative). */
  bytesSaved: number;
}

/** Uploads that failed within the range, by the reason they failed (the engine's error code). */
export interface UploadFailureReason {
  errorCode: string;
  uploads: number;
  bytes: number;
  /** What the author can do about it. */
  whatToDo: string;
  /** The most recent one: the file and the message it was shown with. */
  latest: { sourcePath: string; message: string | null; at: number };
}

/**
 * One of the slowest requests. These come from the requests kept one by one: those within the
 * retention period (older days are kept only as daily totals) plus the first request of each
 * upload; the list may therefore leave out slower requests older than the retention period.
 */
export interface SlowOperation {
  operation: string;
  objectKey: string | null;
  durationMs: number;
  startedAt: number;
  bytesSent: number;
  success: boolean;
  httpStatus: number | null;
  errorCode: string | null;
  uploadId: string | null;
}

export interface AnalyticsReport {
  /** The range counted: [since, until) in Unix ms, whole UTC days; since is null with no record at all. */
  range: { since: number | null; until: number };
  /** The connection asked for (its name), or null for all. */
  connection: string | null;
  generatedAt: number;
  uploads: UploadOutcomes;
  series: UploadSeries;
  byCategory: CategoryTotal[];
  throughput: Throughput;
  requests: RequestFigures;
  requestFailures: RequestFailureReason[];
  resumes: ResumeFigures;
  images: ImageSavings;
  failures: UploadFailureReason[];
  /** The ten slowest requests, slowest first. */
  slowest: SlowOperation[];
  /** Days before this one ('YYYY-MM-DD') hold rolled-up requests: counted in every figure above, except the slowest. Null when nothing is rolled up. */
  rolledUpBefore: string | null;
}

/** One table of the report, as its table view and its CSV export show it. */
export interface AnalyticsTable {
  name: AnalyticsTableName;
  title: string;
  columns: string[];
  rows: (string | number | boolean | null)[][];
}

export const analyticsTableNames = ['summary', 'uploads', 'categories', 'requests', 'failures', 'slowest'] as const;
export type AnalyticsTableName = (typeof analyticsTableNames)[number];

/** The report's tables: what every chart shows, as rows. */
export function analyticsTables(report: AnalyticsReport): AnalyticsTable[] {
  const { uploads: u, requests: r, resumes, images, throughput } = report;
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  const summary: [string, string | number | null][] = [
    ['since', iso(report.range.since)],
    ['until', iso(report.range.until)],
    ['connection', report.connection],
    ['uploads verified', u.verified],
    ['uploads failed', u.failed],
    ['uploads cancelled', u.cancelled],
    ['uploads unfinished', u.unfinished],
    ['bytes verified', u.bytesVerified],
    ['upload success rate', u.successRate],
    ['throughput uploads measured', throughput.uploads],
    ['throughput median (bytes/s)', throughput.medianBytesPerSecond],
    ['throughput p95 (bytes/s)', throughput.p95BytesPerSecond],
    ['requests', r.total],
    ['requests succeeded', r.succeeded],
    ['requests failed', r.failed],
    ...requestOutcomeKinds.map((kind): [string, number] => [`requests failed: ${kind}`, r.failedBy[kind]]),
    ['request success rate', r.successRate],
    ['uploads resumed', resumes.uploads],
    ['resumes', resumes.resumes],
    ['bytes resume saved', resumes.bytesSaved],
    ['image sets', images.sets],
    ['image bytes before', images.bytesBefore],
    ['image bytes after', images.bytesAfter],
    ['image bytes saved', images.bytesSaved],
    ['rolled up before', report.rolledUpBefore],
  ];
  const perBucket: (string | number)[][] = [];
  report.series.buckets.forEach((start, i) => {
    for (const c of report.series.categories) if (c.uploads[i]! > 0) perBucket.push([start, c.category, c.uploads[i]!, c.bytes[i]!]);
  });
  return [
    { name: 'summary', title: 'Summary', columns: ['figure', 'value'], rows: summary },
    { name: 'uploads', title: `Verified uploads per ${report.series.bucket}`, columns: [report.series.bucket === 'day' ? 'day' : 'week', 'category', 'uploads', 'bytes'], rows: perBucket },
    { name: 'categories', title: 'Verified uploads by content type', columns: ['category', 'uploads', 'bytes'], rows: report.byCategory.map((c) => [c.category, c.uploads, c.bytes]) },
    {
      name: 'requests',
      title: 'Failed requests by reason',
      columns: ['error code', 'HTTP status', 'what became of them', 'requests', 'meaning'],
      rows: report.requestFailures.map((f) => [f.errorCode, f.httpStatus, f.kind, f.count, f.meaning]),
    },
    {
      name: 'failures',
      title: 'Failed uploads by reason',
      columns: ['error code', 'uploads', 'bytes', 'what to do', 'latest file', 'latest message', 'latest at'],
      rows: report.failures.map((f) => [f.errorCode, f.uploads, f.bytes, f.whatToDo, f.latest.sourcePath, f.latest.message, iso(f.latest.at)]),
    },
    {
      name: 'slowest',
      title: 'Slowest requests',
      columns: ['operation', 'key', 'duration ms', 'started at', 'bytes sent', 'succeeded', 'HTTP status', 'error code', 'upload id'],
      rows: report.slowest.map((s) => [s.operation, s.objectKey, s.durationMs, iso(s.startedAt), s.bytesSent, s.success, s.httpStatus, s.errorCode, s.uploadId]),
    },
  ];
}

/**
 * A table as CSV text (RFC 4180): a header row, then one row per record, CRLF line ends, and a
 * field quoted when it holds a comma, a quote, a line break or leading or trailing space (quotes
 * doubled). Null is an empty field; numbers are written in full (no exponent for byte counts).
 */
export function tableToCsv(table: Pick<AnalyticsTable, 'columns' | 'rows'>): string {
  const line = (fields: readonly (string | number | boolean | null)[]) => fields.map(csvField).join(',');
  return [line(table.columns), ...table.rows.map(line)].map((row) => `${row}\r\n`).join('');
}

function csvField(value: string | number | boolean | null): string {
  if (value === null) return '';
  const text = typeof value === 'number' ? (Number.isInteger(value) ? BigInt(value).toString() : String(value)) : String(value);
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
