import type { CapResult } from './cap';
import { GIB, MIB, REFERENCE_NAME, needsS3, type BenchConfig, type RunnerName } from './config';
import type { AnalyticsResult } from './analytics';
import { analyticsFailures, analyticsSection, analyticsTargets } from './analyticsReport';
import type { ImagesResult } from './images';
import { imagesFailures, imagesRawRuns, imagesSection, imagesTargets } from './imagesReport';
import type { KillResult } from './killResume';
import type { Measurement } from './measure';
import type { StormResult } from './storm';
import type { Tool } from './tools';
import type { UsageResult } from './usage';
import { usageFailures, usageRawRuns, usageSection, usageTargets } from './usageReport';
import type { WatchResult } from './watch';
import { watchFailures, watchRawRuns, watchSection, watchTargets } from './watchReport';

export type Workload = 'big' | 'small';

/** One timed invocation: a tool, a workload, a repetition, and what was measured. */
export interface RunRecord {
  tool: RunnerName;
  workload: Workload;
  rep: number;
  measurement: Measurement;
  /** Null when the tool succeeded and the bucket holds what it should; else why not. */
  failure: string | null;
}

export interface ReportInput {
  config: BenchConfig;
  tools: Tool[];
  /** The small-file reference (bench/bareClient.ts), when it was run. */
  reference: Tool | null;
  versions: Map<RunnerName, string>;
  runs: RunRecord[];
  kills: Map<RunnerName, KillResult>;
  /** Quire in a storm of SlowDown answers, when it was run. */
  storm: StormResult | null;
  /** Quire under a bandwidth cap, when it was run. */
  cap: CapResult | null;
  /** The watch folder synced, synced again and followed, when it was run. */
  watch: WatchResult | null;
  /** The photos prepared by Quire's image pool and by vipsthumbnail, when it was run. */
  images: ImagesResult | null;
  /** The analytics queries over a year of heavy use, before and after the rollup, when it was run. */
  analytics?: AnalyticsResult | null;
  /** The bucket of 100,000 objects counted by Quire, rclone size and aws s3 ls, when it was run. */
  usage?: UsageResult | null;
  startedAt: Date;
  elapsedSeconds: number;
  machine: string;
  /** How busy the machine was: a shared machine makes every number noisier. */
  load: string;
}

const MB = 1e6;

export function median(values: number[]): number {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

interface Row {
  label: string;
  /** Per tool, NaN when every run failed. */
  values: Map<RunnerName, number>;
  higherIsBetter: boolean;
  digits: number;
  /** Extra text after a value (the kill row's percentage). */
  suffix?: (tool: RunnerName) => string;
}

/** The medians of one metric over a tool's successful runs of one workload. */
function metric(input: ReportInput, workload: Workload, pick: (m: Measurement) => number): Map<RunnerName, number> {
  const values = new Map<RunnerName, number>();
  for (const tool of input.tools) {
    const ok = input.runs.filter((r) => r.tool === tool.name && r.workload === workload && r.failure === null);
    values.set(tool.name, median(ok.map((r) => pick(r.measurement))));
  }
  return values;
}

export function renderReport(input: ReportInput): string {
  const { config, tools } = input;
  const bigLabel = config.bigBytes >= GIB ? `${config.bigBytes / GIB} GiB` : `${config.bigBytes / MIB} MiB`;
  const smallLabel = `${config.smallFiles} × ${config.smallBytes / 1024} KiB`;
  const bigGiB = config.bigBytes / GIB;
  const bigRss: Row = { label: `${bigLabel} file: peak RSS (MB)`, values: metric(input, 'big', (m) => m.peakRssBytes / MB), higherIsBetter: false, digits: 0 };
  const cpuPerGiB: Row = { label: `${bigLabel} file: CPU s per GiB`, values: metric(input, 'big', (m) => m.cpuSeconds / bigGiB), higherIsBetter: false, digits: 2 };
  const smallRss: Row = { label: `${smallLabel}: peak RSS (MB)`, values: metric(input, 'small', (m) => m.peakRssBytes / MB), higherIsBetter: false, digits: 0 };
  const throughput: Row = { label: `${bigLabel} file: MiB/s`, values: metric(input, 'big', (m) => config.bigBytes / MIB / m.wallSeconds), higherIsBetter: true, digits: 1 };
  const smallRate: Row = { label: `${smallLabel}: files/s`, values: metric(input, 'small', (m) => config.smallFiles / m.wallSeconds), higherIsBetter: true, digits: 1 };
  const rows: Row[] = [
    throughput,
    bigRss,
    { label: `${bigLabel} file: CPU s (user+sys)`, values: metric(input, 'big', (m) => m.cpuSeconds), higherIsBetter: false, digits: 2 },
    cpuPerGiB,
    smallRate,
    smallRss,
    { label: `${smallLabel}: CPU s (user+sys)`, values: metric(input, 'small', (m) => m.cpuSeconds), higherIsBetter: false, digits: 2 },
  ];
  if (config.kill) {
    const values = new Map<RunnerName, number>();
    for (const tool of tools) {
      const kill = input.kills.get(tool.name);
      values.set(tool.name, kill?.ok ? kill.resentBytes / MIB : NaN);
    }
    rows.push({
      label: `${bigLabel} file: bytes re-sent after a kill at 50% (MiB; % of what the killed run sent)`,
      values,
      higherIsBetter: false,
      digits: 1,
      suffix: (name) => {
        const kill = input.kills.get(name);
        return kill?.ok && kill.bytesFirstRun > 0 ? ` (${Math.round((100 * kill.resentBytes) / kill.bytesFirstRun)}%)` : '';
      },
    });
  }

  const lines: string[] = [];
  lines.push(`# Quire upload benchmark`, '');
  const compared = config.scenarios.has('tools');
  const medians = compared ? ` Medians of ${config.reps} repetition(s);` : '';
  lines.push(`${input.startedAt.toISOString()} — ${input.machine}.${medians} full run took ${formatDuration(input.elapsedSeconds)}. ${input.load}.`, '');
  if (config.note) lines.push(`> ${config.note}`, '');
  if (!compared) lines.push(`Only: ${[...config.scenarios].join(', ')} (the comparison of the tools was not run).`, '');
  const hasQuire = tools.some((t) => t.name === 'quire');
  const rivals = tools.filter((t) => t.name !== 'quire');
  if (compared) {
    const header = ['Metric', ...tools.map((t) => t.label), ...(hasQuire && rivals.length ? ['Quire / best rival'] : [])];
    lines.push(`| ${header.join(' | ')} |`, `|${header.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`);
    for (const row of rows) {
      const cells = tools.map((t) => {
        const value = row.values.get(t.name) ?? NaN;
        return Number.isFinite(value) ? `${value.toFixed(row.digits)}${row.suffix?.(t.name) ?? ''}` : 'failed';
      });
      if (hasQuire && rivals.length) cells.push(ratioCell(row, rivals));
      lines.push(`| ${row.label} | ${cells.join(' | ')} |`);
    }
    lines.push('', 'Ratios: for MiB/s and files/s above 1 means Quire is faster than the best rival; for RSS, CPU and re-sent bytes below 1 means Quire uses less.', '');
  }

  const goals = [
    ...(compared && hasQuire ? targets(input, { throughput, cpuPerGiB, bigRss, smallRss, smallRate }, bigLabel, smallLabel) : []),
    ...stormTarget(input),
    ...capTarget(input),
    ...(input.watch ? watchTargets(input.watch) : []),
    ...(input.images ? imagesTargets(input.images) : []),
    ...(input.analytics ? analyticsTargets(input.analytics) : []),
    ...(input.usage ? usageTargets(input.usage) : []),
  ];
  if (goals.length) lines.push(`Quire's targets:`, ...goals, '');
  if (input.storm) lines.push(...stormSection(input, input.storm), '');
  if (input.cap) lines.push(...capSection(input.cap), '');
  if (input.watch) lines.push(...watchSection(input.watch), '');
  if (input.images) lines.push(...imagesSection(input.images), '');
  if (input.analytics) lines.push(...analyticsSection(input.analytics), '');
  if (input.usage) lines.push(...usageSection(input.usage), '');
  lines.push(...settings(input, bigLabel, smallLabel), '');
  lines.push(...failures(input), ...rawRuns(input));
  return `${lines.join('\n')}\n`;
}

const verdict = (value: number, ok: (v: number) => boolean) => (!Number.isFinite(value) ? 'not measured' : ok(value) ? '**met**' : '**missed**');
const fixed = (value: number, digits: number) => (Number.isFinite(value) ? value.toFixed(digits) : '—');

/** Storm time over clean time, against the target. */
function stormTarget(input: ReportInput): string[] {
  const { storm } = input;
  if (!storm) return [];
  const { config } = input;
  const ratio = storm.stormSeconds / storm.cleanSeconds;
  // Fast is no use unless every run ended with every object right.
  const failed = storm.runs.filter((r) => r.failure !== null).length;
  const outcome = failed > 0 ? `**missed**: ${failed} of ${storm.runs.length} run(s) failed their checks (see Failures)` : verdict(ratio, (v) => v < config.storm.target);
  return [
    `- in a storm of SlowDown answers (${Math.round(config.storm.fraction * 100)}% of requests), ${storm.label} take < ${config.storm.target}× their clean time, every object verified: ` +
      `${fixed(storm.stormSeconds, 2)} s vs ${fixed(storm.cleanSeconds, 2)} s, ${fixed(ratio, 2)}× — ${outcome}`,
  ];
}

function capTarget(input: ReportInput): string[] {
  const { cap } = input;
  if (!cap) return [];
  const ratio = cap.measuredBytesPerSecond / cap.capBytesPerSecond;
  return [
    `- a bandwidth cap holds within 10% (${fixed(cap.capBytesPerSecond / MIB, 2)} MiB/s over ${fixed(cap.seconds, 0)} s): measured ${fixed(cap.measuredBytesPerSecond / MIB, 3)} MiB/s, ` +
      `${signedPercent(ratio - 1)} — ${verdict(ratio, (v) => Math.abs(v - 1) <= 0.1)}`,
  ];
}

/** "+1.2%", "-0.4%", "±0.0%". */
function signedPercent(fraction: number): string {
  if (!Number.isFinite(fraction)) return '—';
  const text = Math.abs(fraction * 100).toFixed(1);
  return text === '0.0' ? '±0.0%' : `${fraction > 0 ? '+' : '-'}${text}%`;
}

function stormSection(input: ReportInput, storm: StormResult): string[] {
  const { config } = input;
  const ok = (stormy: boolean) => storm.runs.filter((r) => r.storm === stormy && r.failure === null);
  const requests = (stormy: boolean) => median(ok(stormy).map((r) => r.requests));
  const slowDowns = (stormy: boolean) => median(ok(stormy).map((r) => r.slowDowns));
  return [
    `SlowDown storm: Quire uploads ${storm.label} (${storm.files} files, ${fixed(storm.bytes / MIB, 1)} MiB) in one \`quire upload --concurrency ${storm.concurrency} --part-size 10MiB\` ` +
      `at its default request rate (300/s), through the fault proxy; in the storm the proxy answers a random ${Math.round(config.storm.fraction * 100)}% of all requests \`503 SlowDown\` ` +
      `without passing them on. Every run is checked in the bucket: each object's SHA-256 read back equals its file's, no other key (no duplicate), no multipart upload left open. ` +
      `Medians of ${config.storm.reps} repetition(s), the order of clean and storm alternating.`,
    '',
    '| | clean | storm |',
    '| --- | ---: | ---: |',
    `| wall s | ${fixed(storm.cleanSeconds, 2)} | ${fixed(storm.stormSeconds, 2)} |`,
    `| requests on the wire | ${fixed(requests(false), 0)} | ${fixed(requests(true), 0)} |`,
    `| answered SlowDown | ${fixed(slowDowns(false), 0)} | ${fixed(slowDowns(true), 0)} |`,
  ];
}

function capSection(cap: CapResult): string[] {
  return [
    `Bandwidth cap: Quire uploads one ${fixed(cap.bytes / MIB, 0)} MiB file with \`--limit-rate ${cap.capBytesPerSecond}\` (${fixed(cap.capBytesPerSecond / MIB, 2)} MiB/s) through the counting proxy; ` +
      `the rate is the file's bytes as the proxy received them, from the first to the last (${fixed(cap.seconds, 1)} s). ` +
      `Slowest and fastest 10-second stretch: ${fixed(cap.slowestWindow / MIB, 3)} and ${fixed(cap.fastestWindow / MIB, 3)} MiB/s.`,
  ];
}

function ratioCell(row: Row, rivals: Tool[]): string {
  const quire = row.values.get('quire') ?? NaN;
  const rivalValues = rivals.map((t) => row.values.get(t.name) ?? NaN).filter(Number.isFinite);
  if (!Number.isFinite(quire) || rivalValues.length === 0) return '—';
  const best = row.higherIsBetter ? Math.max(...rivalValues) : Math.min(...rivalValues);
  return best === 0 ? '—' : `${(quire / best).toFixed(2)}×`;
}

/** The targets for Quire, each stated as met or missed so a regression is visible at a glance. */
function targets(input: ReportInput, rows: Record<'throughput' | 'cpuPerGiB' | 'bigRss' | 'smallRss' | 'smallRate', Row>, bigLabel: string, smallLabel: string): string[] {
  const { config, tools } = input;
  const quire = (row: Row) => row.values.get('quire') ?? NaN;
  const bestRival = (row: Row) => Math.max(...tools.filter((t) => t.name !== 'quire').map((t) => row.values.get(t.name) ?? NaN).filter(Number.isFinite));
  const speedup = quire(rows.throughput) / bestRival(rows.throughput);
  const cpu = quire(rows.cpuPerGiB);
  const rss = quire(rows.bigRss);
  const smallVsRclone = quire(rows.smallRate) / (rows.smallRate.values.get('rclone') ?? NaN);
  const lines = [
    `- throughput ≥ 1.2× the best rival (${bigLabel} file): ${fixed(speedup, 2)}× — ${verdict(speedup, (v) => v >= 1.2)}`,
    `- CPU ≤ 3 s per GiB (${bigLabel} file): ${fixed(cpu, 2)} s/GiB — ${verdict(cpu, (v) => v <= 3)}`,
    `- peak RSS < 150 MB (${bigLabel} file): ${fixed(rss, 0)} MB — ${verdict(rss, (v) => v < 150)} (${smallLabel}: ${fixed(quire(rows.smallRss), 0)} MB)`,
  ];
  const kill = input.kills.get('quire');
  if (config.kill) {
    // At most the parts that were in flight when it was killed: one request's worth per slot.
    const inFlightMiB = config.bigConcurrency * config.partSizeMiB;
    const resent = kill?.ok ? kill.resentBytes / MIB : NaN;
    lines.push(`- re-sent after a kill at 50% ≤ the parts in flight (${inFlightMiB} MiB): ${fixed(resent, 1)} MiB — ${verdict(resent, (v) => v <= inFlightMiB)}`);
  }
  lines.push(`- small files ≥ 1.5× rclone's files/s (${smallLabel}): ${fixed(smallVsRclone, 2)}× — ${verdict(smallVsRclone, (v) => v >= 1.5)}`);
  const bare = referenceRate(input);
  if (Number.isFinite(bare)) {
    const rclone = rows.smallRate.values.get('rclone') ?? NaN;
    lines.push(
      `  - for scale: Quire's own requests with nothing around them (the reference, bench/bareClient.ts) ran at ${fixed(bare, 1)} files/s, ` +
        `${fixed(bare / rclone, 2)}× rclone, in the same run: about the most a client sending these requests gets from this server on this machine. ` +
        `Quire reached ${fixed((100 * quire(rows.smallRate)) / bare, 0)}% of it; the difference is Quire's own work around the requests ` +
        `(queueing and recording every file in the ledger, and on a new data folder like the bench's its first orphan check).`,
    );
  }
  return lines;
}

/** The reference's median files/s over its successful runs; NaN when it was not run. */
function referenceRate(input: ReportInput): number {
  const ok = input.runs.filter((r) => r.tool === REFERENCE_NAME && r.workload === 'small' && r.failure === null);
  return median(ok.map((r) => input.config.smallFiles / r.measurement.wallSeconds));
}

function settings(input: ReportInput, bigLabel: string, smallLabel: string): string[] {
  const { config } = input;
  if (!needsS3(config.scenarios)) return [`Quire: ${input.versions.get('quire') ?? '?'}; no S3 server (${[...config.scenarios].join(' and ')} only).`];
  if (!config.scenarios.has('tools')) return [`Quire: ${input.versions.get('quire') ?? '?'}; a local Ceph radosgw (single OSD) on 127.0.0.1, same host as the client; data in the page cache.`];
  return [
    `Setup: a local Ceph radosgw (single OSD) on 127.0.0.1, same host as the clients; every tool at ${config.partSizeMiB} MiB parts, ` +
      `${config.bigConcurrency} requests in flight for the ${bigLabel} file and ${config.smallConcurrency} for the ${smallLabel} files; data in the page cache; ` +
      `the bucket emptied and radosgw's garbage collected after every run; tools run in a rotating order. ` +
      `Wall time is the whole command (start-up, any hashing, the upload, any verification); RSS and CPU are the tool's process, from wait4 via GNU time. ` +
      `The kill measurement runs once per tool through a counting proxy; "re-sent" is all file bytes that crossed the wire over the killed run and the rerun, minus the file size.`,
    '',
    ...[...input.tools, ...(input.reference ? [input.reference] : [])].map((t) => `- ${t.label} (${input.versions.get(t.name) ?? '?'}): ${t.describe(config)}`),
  ];
}

function failures(input: ReportInput): string[] {
  const lines: string[] = [];
  for (const run of input.runs) if (run.failure) lines.push(`- ${run.tool}, ${run.workload} file(s), repetition ${run.rep}: ${run.failure}`);
  for (const [tool, kill] of input.kills) if (!kill.ok) lines.push(`- ${tool}, kill at 50%: ${kill.failure}`);
  for (const run of input.storm?.runs ?? []) if (run.failure) lines.push(`- quire, SlowDown storm (${run.storm ? 'storm' : 'clean'}), repetition ${run.rep}: ${run.failure}`);
  if (input.cap?.failure) lines.push(`- quire, bandwidth cap: ${input.cap.failure}`);
  if (input.watch) lines.push(...watchFailures(input.watch));
  if (input.images) lines.push(...imagesFailures(input.images));
  if (input.analytics) lines.push(...analyticsFailures(input.analytics));
  if (input.usage) lines.push(...usageFailures(input.usage));
  return lines.length ? ['Failures:', '', ...lines, ''] : [];
}

function rawRuns(input: ReportInput): string[] {
  const { config } = input;
  const lines = ['<details><summary>Every run</summary>'];
  if (input.runs.length > 0) lines.push('', '| tool | workload | rep | wall s | rate | CPU s | peak RSS MB | status |', '| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |');
  for (const run of input.runs) {
    const m = run.measurement;
    const rate = run.workload === 'big' ? `${(config.bigBytes / MIB / m.wallSeconds).toFixed(1)} MiB/s` : `${(config.smallFiles / m.wallSeconds).toFixed(1)} files/s`;
    lines.push(`| ${run.tool} | ${run.workload} | ${run.rep} | ${m.wallSeconds.toFixed(2)} | ${rate} | ${m.cpuSeconds.toFixed(2)} | ${(m.peakRssBytes / MB).toFixed(0)} | ${run.failure ? 'failed' : 'ok'} |`);
  }
  for (const [tool, kill] of input.kills) {
    lines.push('', `Kill at 50%, ${tool}: killed at ${(kill.bytesAtKill / MIB).toFixed(1)} MiB; the killed run sent ${(kill.bytesFirstRun / MIB).toFixed(1)} MiB; ${(kill.totalBytes / MIB).toFixed(1)} MiB in all.`);
  }
  if (input.storm) {
    lines.push('', '| SlowDown storm | rep | wall s | requests | answered SlowDown | CPU s | peak RSS MB | status |', '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
    for (const run of input.storm.runs) {
      const m = run.measurement;
      lines.push(`| ${run.storm ? 'storm' : 'clean'} | ${run.rep} | ${m.wallSeconds.toFixed(2)} | ${run.requests} | ${run.slowDowns} | ${m.cpuSeconds.toFixed(2)} | ${(m.peakRssBytes / MB).toFixed(0)} | ${run.failure ? 'failed' : 'ok'} |`);
    }
  }
  if (input.watch) lines.push(...watchRawRuns(input.watch));
  if (input.images) lines.push(...imagesRawRuns(input.images));
  if (input.usage) lines.push(...usageRawRuns(input.usage));
  lines.push('', '</details>');
  return lines;
}

function formatDuration(seconds: number): string {
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds % 60);
  return m > 0 ? `${m} min ${s} s` : `${s} s`;
}
