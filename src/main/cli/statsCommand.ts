import { analyticsTableNames, analyticsTables, tableToCsv, type AnalyticsInput, type AnalyticsReport, type AnalyticsTableName } from '../../shared/analytics';
import { formatBytes } from '../../shared/format';
import { printable } from '../../shared/printable';
import { QuireError } from '../core/errors';
import { printJson } from './output';

/** `quire stats`: how the author's uploads go, from the ledger (issue 14's analytics). */

export const STATS_OPTIONS = {
  since: { type: 'string' },
  until: { type: 'string' },
  csv: { type: 'boolean' },
} as const;

export const STATS_HELP = `  quire stats [--since 30d|12w|all|2026-01-31] [--until 7d|2026-02-28] [--connection NAME]
              [--json | --csv [TABLE]]
                         how uploads went over whole days (UTC; by default the last 30, today
                         included): per content type, success rate, throughput, retries and why,
                         resumes, image savings, failures and what to do, the slowest requests;
                         --csv prints every table, or one of: ${analyticsTableNames.slice(0, 3).join(', ')},
                         ${analyticsTableNames.slice(3).join(', ')}
`;

export interface StatsFlags {
  since?: string;
  until?: string;
  connection?: string;
  json?: boolean;
  csv?: boolean;
}

const DAY_MS = 24 * 3600 * 1000;

export async function statsCommand(call: (input: AnalyticsInput) => Promise<AnalyticsReport>, args: string[], flags: StatsFlags, now = Date.now()): Promise<number> {
  const table = args[0];
  if (table !== undefined && (!flags.csv || !(analyticsTableNames as readonly string[]).includes(table))) {
    throw new QuireError('usage', `quire stats takes no ${flags.csv ? 'table' : 'argument'} "${printable(table)}"; with --csv, a table is one of: ${analyticsTableNames.join(', ')}.`);
  }
  const since = flags.since === undefined ? sinceMoment('30d', now) : flags.since === 'all' ? undefined : sinceMoment(flags.since, now);
  const until = flags.until === undefined ? undefined : untilMoment(flags.until, now);
  if (since !== undefined && until !== undefined && since >= until) throw new QuireError('usage', '--since must come before --until.');
  const report = await call({ since, until, connection: flags.connection });
  if (flags.json) printJson(report);
  else if (flags.csv) process.stdout.write(csvOutput(report, table as AnalyticsTableName | undefined));
  else printStats(report);
  return 0;
}

/**
 * One table as a plain RFC 4180 document; all of them, each led by a "# title" line and
 * followed by an empty line (for reading, or pasting into a spreadsheet one at a time).
 */
function csvOutput(report: AnalyticsReport, name: AnalyticsTableName | undefined): string {
  const tables = analyticsTables(report);
  if (name) return tableToCsv(tables.find((t) => t.name === name)!);
  return tables.map((t) => `# ${t.title}\r\n${tableToCsv(t)}\r\n`).join('');
}

/** "30d": the last 30 days, today included; "12w": 12 weeks back; "6h": six hours back (its day counts whole); or a date. */
function sinceMoment(text: string, now: number): number {
  const match = /^(\d+)\s*(h|d|w)$/i.exec(text.trim());
  if (match) {
    const n = Number(match[1]);
    const unit = match[2]!.toLowerCase();
    if (unit === 'h') return now - n * 3600_000;
    const days = unit === 'd' ? n : n * 7;
    return Math.floor(now / DAY_MS) * DAY_MS - Math.max(0, days - 1) * DAY_MS;
  }
  return dateMoment(text, '--since');
}

/** Up to and including the day named (a date), or the day that many days or weeks back. */
function untilMoment(text: string, now: number): number {
  const match = /^(\d+)\s*(h|d|w)$/i.exec(text.trim());
  if (match) {
    const n = Number(match[1]);
    const unit = match[2]!.toLowerCase();
    return now - n * (unit === 'h' ? 3600_000 : unit === 'd' ? DAY_MS : 7 * DAY_MS) + 1;
  }
  return dateMoment(text, '--until') + 1;
}

function dateMoment(text: string, flag: string): number {
  const ms = /^\d{4}-\d{2}-\d{2}(T[\d:.]+Z?)?$/.test(text.trim()) ? Date.parse(text.trim().length === 10 ? `${text.trim()}T00:00:00Z` : text.trim()) : NaN;
  if (!Number.isFinite(ms) || ms < 0) throw new QuireError('usage', `${flag} takes a number of days or weeks (30d, 12w), or a date (2026-01-31); not "${printable(text)}".`);
  return ms;
}

function percent(share: number | null): string {
  return share === null ? 'n/a' : `${(share * 100).toFixed(1)}%`;
}

function rate(bytesPerSecond: number | null): string {
  return bytesPerSecond === null ? 'n/a' : `${formatBytes(bytesPerSecond)}/s`;
}

function printStats(report: AnalyticsReport): void {
  const out = (line = '') => process.stdout.write(`${line}\n`);
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  const { uploads: u, requests: r } = report;
  const from = report.range.since === null ? 'the start' : day(report.range.since);
  out(`${report.connection ? printable(report.connection) : 'All connections'}, ${from} to ${day(report.range.until - 1)} (whole days, UTC)`);
  out(`Uploads: ${u.verified} verified (${formatBytes(u.bytesVerified)}), ${u.failed} failed, ${u.cancelled} cancelled, ${u.unfinished} not finished; ${percent(u.successRate)} succeeded`);
  if (report.byCategory.length > 0) {
    const widest = Math.max(...report.byCategory.map((c) => c.bytes));
    for (const c of report.byCategory) out(`  ${c.category.padEnd(14)} ${String(c.uploads).padStart(7)}  ${formatBytes(c.bytes).padStart(10)}  ${'#'.repeat(Math.max(1, Math.round((c.bytes / widest) * 30)))}`);
  }
  out(`Throughput: median ${rate(report.throughput.medianBytesPerSecond)}, p95 ${rate(report.throughput.p95BytesPerSecond)} (${report.throughput.uploads} uploads, from first request to verified)`);
  out(`Requests: ${r.total}, ${percent(r.successRate)} succeeded; of ${r.failed} failed: ${r.failedBy.retried} retried, ${r.failedBy.refused} refused, ${r.failedBy.expected} expected (a free name, an offline check), ${r.failedBy.stopped} stopped on purpose`);
  for (const reason of report.requestFailures.filter((f) => f.kind !== 'expected')) {
    out(`  ${String(reason.count).padStart(7)}  ${printable(reason.errorCode)}${reason.httpStatus === null ? '' : ` (${reason.httpStatus})`}, ${reason.kind}: ${reason.meaning}`);
  }
  out(`Resumed: ${report.resumes.uploads} uploads (${report.resumes.resumes} times); ${formatBytes(report.resumes.bytesSaved)} not sent again`);
  const images = report.images;
  const saved = images.bytesBefore > 0 ? ` (${Math.round((images.bytesSaved / images.bytesBefore) * 100)}%)` : '';
  out(`Images: ${images.sets} made smaller for the web, ${formatBytes(images.bytesBefore)} to ${formatBytes(images.bytesAfter)}: ${formatBytes(images.bytesSaved)} saved${saved}`);
  if (report.failures.length > 0) {
    out('Failed uploads by reason:');
    for (const f of report.failures) {
      out(`  ${String(f.uploads).padStart(7)}  ${f.errorCode} (${formatBytes(f.bytes)}): ${f.whatToDo}`);
      out(`           latest: ${printable(f.latest.sourcePath)}${f.latest.message ? ` - ${printable(f.latest.message)}` : ''}`);
    }
  }
  if (report.slowest.length > 0) {
    out(`Slowest requests${report.rolledUpBefore ? ` (kept one by one from ${report.rolledUpBefore})` : ''}:`);
    for (const s of report.slowest) {
      out(`  ${(s.durationMs / 1000).toFixed(1).padStart(7)} s  ${s.operation.padEnd(18)} ${s.success ? '' : `failed ${s.errorCode ?? ''} `}${s.bytesSent > 0 ? `${formatBytes(s.bytesSent)} ` : ''}${printable(s.objectKey ?? '')}  ${new Date(s.startedAt).toISOString()}`);
    }
  }
}
