import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FaultProxy } from '../test/support/faultProxy';
import type { UsageReport } from '../src/shared/usage';
import type { BenchConfig } from './config';
import { lastLine, measure, runChild, type Invocation, type Measurement } from './measure';
import { ensureUsageBucket, type UsageBucket } from './usageBucket';
import type { Figures } from './usageLayout';
import { AWS_BIN, RCLONE_BIN, awsEnv, makeTools, openQuire, rcloneEnv } from './tools';

/** Who counts the bucket: Quire's scan, `rclone size` and `aws s3 ls --recursive --summarize`. */
export const USAGE_TOOLS = ['quire', 'rclone', 'aws'] as const;
export type UsageTool = (typeof USAGE_TOOLS)[number];

/** One timed count of one bucket by one tool. */
export interface UsageRun {
  tool: UsageTool;
  /** Objects in the bucket counted (the large bucket or the small one). */
  objects: number;
  rep: number;
  measurement: Measurement;
  /** What the tool said the bucket holds; null when it could not be read. */
  counted: Figures | null;
  failure: string | null;
}

/** Requests one count of the large bucket made, counted on the wire by the bench's proxy. */
export interface UsageRequests {
  tool: UsageTool;
  /** ListObjects(V2) requests, and everything else (bucket checks, multipart listings...). */
  lists: number;
  others: number;
  failure: string | null;
}

/** One scan of the large bucket by a process that scans it again and again (bench/usageRepeat.ts). */
export interface RepeatScan {
  scan: number;
  objects: number;
  bytes: number;
  seconds: number;
  /** VmHWM after this scan: the peak so far. */
  peakRssBytes: number;
  /** Still alive after a full garbage collection. */
  heapUsedBytes: number;
  arrayBuffersBytes: number;
}

export interface UsageResult {
  /** The large bucket first, then the small one. */
  buckets: UsageBucket[];
  reps: number;
  runs: UsageRun[];
  requests: UsageRequests[];
  /** The large bucket scanned `c.repeatScans` times by one process, or why not. */
  repeat: { scans: RepeatScan[]; failure: string | null };
  versions: Map<UsageTool, string>;
  commands: Map<UsageTool, string>;
  /** Where Quire's CPU profiles went, when its scans ran under the profiler. */
  profileDir: string | null;
}

/** Quire's flags: the pacer raised for a local server, as in every other section (its default, 300/s, is Spaces' limit). */
export const QUIRE_USAGE_ARGS = ['usage', '--refresh', '--json', '--requests-per-second', '10000'];

/**
 * The usage section (issue 14): a bucket of `objects` small objects over the book layout (made
 * once per bench S3 server, bench/usageBucket.ts) counted in total and in bytes by
 * - Quire: `quire usage --refresh --json` in a fresh data folder connected to the bucket, as an
 *   author runs it (so a full scan every time), per-area figures checked too;
 * - `rclone size` (its defaults: directory by directory, 8 checkers);
 * - `aws s3 ls --recursive --summarize` (one listing from the top, page after page);
 * each `reps` times in a rotating order, wall time, CPU and peak RSS from GNU time; and the same
 * on a bucket of `smallObjects` (the same layout at a tenth), to show whether memory grows with
 * the object count. Then once more each on the large bucket through the counting proxy: the
 * requests each tool makes.
 */
export async function measureUsage(config: BenchConfig, stateRoot: string, log: (message: string) => void): Promise<UsageResult> {
  const c = config.usage;
  const buckets: UsageBucket[] = [];
  for (const count of [c.objects, c.smallObjects]) buckets.push(await ensureUsageBucket(config, count, log));
  for (const bucket of buckets) {
    log(`  ${bucket.name}: ${bucket.layout.totals.objects} objects, ${bucket.layout.totals.bytes} bytes${bucket.fillSeconds === null ? ' (already there: reused)' : ''}`);
  }

  const versions = new Map<UsageTool, string>();
  for (const tool of makeTools({ ...config, tools: [...USAGE_TOOLS] })) versions.set(tool.name as UsageTool, await tool.version());
  const awsEnvironment = await awsEnv(config, join(stateRoot, 'usage-aws'), 10);
  const rcloneArgs = (bucket: string) => ['--config', '', 'size', `bench:${bucket}`, '--json'];
  const awsArgs = (bucket: string, endpoint: string) => ['s3', 'ls', `s3://${bucket}`, '--recursive', '--summarize', '--endpoint-url', endpoint];
  const commands = new Map<UsageTool, string>([
    ['quire', `\`quire ${QUIRE_USAGE_ARGS.join(' ')}\` in a fresh data folder (\`QUIRE_HOME\`) after \`quire connect add\` to the bucket: a full scan every time; the pacer raised from its default 300 requests/s (Spaces' limit) for this local server, as in the other sections`],
    ['rclone', `\`rclone size bench:BUCKET --json\` (the remote from environment variables as in the other sections; rclone's defaults)`],
    ['aws', `\`aws s3 ls s3://BUCKET --recursive --summarize --endpoint-url ...\` (one ListObjectsV2 listing of the whole bucket, page after page)`],
  ]);
  const profileDir = c.profileDir;
  let counter = 0;
  const invocation = async (tool: UsageTool, bucket: string, endpoint: string): Promise<Invocation> => {
    counter += 1;
    if (tool === 'quire') {
      // A fresh data folder each time: an empty ledger, so every run is a first, full scan.
      const session = await openQuire(config, endpoint, bucket, join(stateRoot, `usage-quire-${counter}`));
      const run = session.invoke(QUIRE_USAGE_ARGS);
      return profileDir ? { ...run, env: { ...run.env, NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${join(profileDir, bucket)}` } } : run;
    }
    if (tool === 'rclone') return { command: RCLONE_BIN, args: rcloneArgs(bucket), env: rcloneEnv(config, endpoint) };
    return { command: AWS_BIN, args: awsArgs(bucket, endpoint), env: awsEnvironment };
  };

  const runs: UsageRun[] = [];
  for (let rep = 1; rep <= c.reps; rep += 1) {
    for (const bucket of buckets) {
      // A different tool goes first each repetition, so a server warming up favours no one.
      for (const tool of rotate([...USAGE_TOOLS], rep - 1)) {
        let measurement = notRun();
        let counted: Figures | null = null;
        let failure: string | null;
        try {
          measurement = await measure(await invocation(tool, bucket.name, config.s3.endpoint), config.timeoutMs);
          const read = readCount(tool, measurement.stdout);
          counted = read.counted;
          failure = measurement.failure ?? read.failure ?? checkCount(tool, read, bucket);
        } catch (error) {
          failure = `could not run: ${(error as Error).message}`;
        }
        runs.push({ tool, objects: bucket.layout.totals.objects, rep, measurement, counted, failure });
        const m = measurement;
        log(
          failure
            ? `usage: ${tool} ${bucket.layout.totals.objects} objects #${rep}: FAILED — ${failure}`
            : `usage: ${tool} ${bucket.layout.totals.objects} objects #${rep}: ${m.wallSeconds.toFixed(2)} s, ${(bucket.layout.totals.objects / m.wallSeconds).toFixed(0)} objects/s, CPU ${m.cpuSeconds.toFixed(2)} s, peak RSS ${(m.peakRssBytes / 1e6).toFixed(0)} MB`,
        );
      }
    }
  }

  // The requests each tool makes for the large bucket, counted on the wire (not timed: the proxy is in the bench's process).
  const requests: UsageRequests[] = [];
  const large = buckets[0]!;
  for (const tool of USAGE_TOOLS) {
    const proxy = new FaultProxy(config.s3.endpoint);
    await proxy.start();
    try {
      const run = await measure(await invocation(tool, large.name, proxy.endpoint), config.timeoutMs);
      const read = readCount(tool, run.stdout);
      const failure = run.failure ?? read.failure ?? checkCount(tool, read, large);
      const lists = proxy.seen.filter((request) => request.op === 'list').length;
      requests.push({ tool, lists, others: proxy.seen.length - lists, failure });
      log(`usage: ${tool} through the counting proxy: ${lists} list request(s), ${proxy.seen.length - lists} other(s)${failure ? ` — FAILED: ${failure}` : ''}`);
    } catch (error) {
      requests.push({ tool, lists: NaN, others: NaN, failure: `could not run: ${(error as Error).message}` });
    } finally {
      await proxy.stop();
    }
  }

  // One process scanning the large bucket again and again: does its memory follow the objects listed?
  const repeat: UsageResult['repeat'] = { scans: [], failure: null };
  try {
    const session = await openQuire(config, config.s3.endpoint, large.name, join(stateRoot, 'usage-quire-repeat'));
    const { env } = session.invoke([]);
    const node = join(config.repoRoot, 'node_modules', 'node', 'bin', 'node');
    const run = await runChild(node, ['--expose-gc', '--import', TSX, join(config.repoRoot, 'bench', 'usageRepeat.ts'), env.QUIRE_HOME!, String(c.repeatScans)], env, config.timeoutMs);
    repeat.scans = run.stdout.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as RepeatScan);
    const wrong = repeat.scans.find((scan) => scan.objects !== large.layout.totals.objects || scan.bytes !== large.layout.totals.bytes);
    if (run.exitCode !== 0) repeat.failure = `exit ${run.exitCode ?? run.signal}: ${lastLine(run.stderr)}`;
    else if (wrong) repeat.failure = `scan ${wrong.scan} counted ${wrong.objects} objects, ${wrong.bytes} bytes (the bucket holds ${large.layout.totals.objects}, ${large.layout.totals.bytes})`;
  } catch (error) {
    repeat.failure = `could not run: ${(error as Error).message}`;
  }
  log(
    repeat.failure
      ? `usage: repeated scans FAILED — ${repeat.failure}`
      : `usage: one process, ${repeat.scans.length} scans: peak RSS ${repeat.scans.map((scan) => (scan.peakRssBytes / 1e6).toFixed(0)).join(' → ')} MB; alive after a full GC ${repeat.scans.map((scan) => (scan.heapUsedBytes / 1e6).toFixed(0)).join(' → ')} MB of heap`,
  );
  return { buckets, reps: c.reps, runs, requests, repeat, versions, commands, profileDir };
}

/** tsx's loader as an absolute URL, so the repeated scans' process starts whatever the current directory. */
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

interface CountRead {
  counted: Figures | null;
  /** Quire only: its whole report, for the per-area check. */
  report: UsageReport | null;
  failure: string | null;
}

/** What the tool printed, as objects and bytes. */
function readCount(tool: UsageTool, stdout: string): CountRead {
  const nothing = (why: string): CountRead => ({ counted: null, report: null, failure: why });
  if (tool === 'quire') {
    let report: UsageReport;
    try {
      report = JSON.parse(stdout) as UsageReport;
    } catch {
      return nothing(`its --json output is not JSON: ${stdout.slice(0, 200)}`);
    }
    return { counted: report.totals ?? null, report, failure: null };
  }
  if (tool === 'rclone') {
    // rclone size --json: {"count":N,"bytes":B,...} on its last line.
    const line = stdout.trim().split('\n').at(-1) ?? '';
    try {
      const parsed = JSON.parse(line) as { count?: number; bytes?: number };
      if (typeof parsed.count !== 'number' || typeof parsed.bytes !== 'number') return nothing(`no count and bytes in: ${line.slice(0, 200)}`);
      return { counted: { objects: parsed.count, bytes: parsed.bytes }, report: null, failure: null };
    } catch {
      return nothing(`its --json output is not JSON: ${line.slice(0, 200)}`);
    }
  }
  // aws s3 ls --summarize ends with "Total Objects: N" and "   Total Size: B".
  const objects = /^\s*Total Objects:\s*(\d+)\s*$/m.exec(stdout)?.[1];
  const bytes = /^\s*Total Size:\s*(\d+)\s*$/m.exec(stdout)?.[1];
  if (objects === undefined || bytes === undefined) return nothing(`no "Total Objects" and "Total Size" in its output (last line: ${stdout.trim().split('\n').at(-1)?.slice(0, 200) ?? ''})`);
  return { counted: { objects: Number(objects), bytes: Number(bytes) }, report: null, failure: null };
}

/** Exit 0 is not taken on trust: the totals must be the layout's, and Quire's per-area figures too. */
function checkCount(tool: UsageTool, read: CountRead, bucket: UsageBucket): string | null {
  const expected = bucket.layout.totals;
  const { counted } = read;
  if (!counted || counted.objects !== expected.objects || counted.bytes !== expected.bytes) {
    return `counted ${counted?.objects ?? '?'} objects, ${counted?.bytes ?? '?'} bytes (the bucket holds ${expected.objects}, ${expected.bytes})`;
  }
  const report = read.report;
  if (tool !== 'quire') return null;
  if (!report) return 'no report';
  if (report.scan?.state !== 'done') return `the scan ended "${report.scan?.state ?? 'never started'}"${report.scan?.error ? `: ${report.scan.error}` : ''}`;
  if (report.unfinished.uploads !== 0) return `counted ${report.unfinished.uploads} unfinished upload(s) (there are none)`;
  const wrong: string[] = [];
  const areas = new Map(report.areas.map((area) => [area.area, area]));
  for (const [area, figures] of bucket.layout.areas) {
    const got = areas.get(area);
    if (got?.objects !== figures.objects || got.bytes !== figures.bytes) wrong.push(`${area} ${got?.objects ?? 0}/${got?.bytes ?? 0} (expected ${figures.objects}/${figures.bytes})`);
  }
  for (const area of report.areas) if (!bucket.layout.areas.has(area.area) && (area.objects > 0 || area.bytes > 0)) wrong.push(`${area.area} ${area.objects}/${area.bytes} (expected none)`);
  return wrong.length ? `totals right, but per area: ${wrong.join('; ')}` : null;
}

function notRun(): Measurement {
  return { ok: false, exitCode: null, signal: null, wallSeconds: NaN, cpuSeconds: NaN, peakRssBytes: NaN, stdout: '', stderr: '', failure: null };
}

function rotate<T>(items: T[], by: number): T[] {
  const k = by % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}
