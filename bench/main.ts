import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { measureAnalytics, type AnalyticsResult } from './analytics';
import { BenchBucket } from './bucket';
import { measureCap, type CapResult } from './cap';
import { MIB, SCENARIOS, loadConfig, needsS3, type BenchConfig, type RunnerName } from './config';
import { ensureFixtures, warmPageCache, type Fixtures } from './fixtures';
import { measureImages, type ImagesResult } from './images';
import { measureKillResume, type KillResult } from './killResume';
import { LoadSampler, describeMachine } from './machine';
import { measure, type Measurement } from './measure';
import { renderReport, type RunRecord, type Workload } from './report';
import { measureStorm, type StormResult } from './storm';
import { bareReference, makeTools, type Tool } from './tools';
import { measureUsage, type UsageResult } from './usage';
import { measureWatch, type WatchResult } from './watch';

/**
 * `npm run bench` (via bench/run.sh, which installs what is missing and starts radosgw): uploads
 * the same data with Quire, rclone and the AWS CLI at equal part size and concurrency, then prints
 * a markdown table of medians and writes it to bench/results/latest.md. Progress goes to stderr,
 * the table to stdout, so `npm run bench > table.md` captures just the table.
 */
async function main(): Promise<void> {
  const config = loadConfig(process.argv.slice(2));
  const startedAt = new Date();
  const load = new LoadSampler();
  const compare = config.scenarios.has('tools');
  // Without the comparison, only Quire runs (the storm and the cap are about Quire alone).
  const tools = compare ? makeTools(config) : makeTools({ ...config, tools: ['quire'] });
  const reference = compare && config.reference ? bareReference(config) : null;
  log(
    compare
      ? `${config.reps} repetition(s); ${config.bigBytes / MIB} MiB file; ${config.smallFiles} × ${config.smallBytes / 1024} KiB files; tools: ${config.tools.join(', ')}; kill test: ${config.kill ? 'yes' : 'no'}; also: ${[...config.scenarios].filter((s) => s === 'storm' || s === 'cap' || s === 'watch').join(', ') || 'nothing'}`
      : `only: ${[...config.scenarios].join(', ')}`,
  );
  const fixtures = compare ? await ensureFixtures(config) : null;
  const versions = new Map<RunnerName, string>();
  for (const tool of reference ? [...tools, reference] : tools) versions.set(tool.name, await tool.version());

  await mkdir(config.workDir, { recursive: true });
  const stateRoot = await mkdtemp(join(config.workDir, 'state-'));
  // The images alone need no server (bench/run.sh starts none for them).
  const bucket = needsS3(config.scenarios) ? await BenchBucket.create(config) : null;
  const runs: RunRecord[] = [];
  const kills = new Map<RunnerName, KillResult>();
  let storm: StormResult | null = null;
  let cap: CapResult | null = null;
  let watch: WatchResult | null = null;
  let images: ImagesResult | null = null;
  let analytics: AnalyticsResult | null = null;
  let usage: UsageResult | null = null;
  try {
    if (fixtures && bucket) {
      for (const workload of ['big', 'small'] as const) {
        for (let rep = 1; rep <= config.reps; rep += 1) {
          await warmPageCache(fixtures);
          // A different tool goes first each repetition, so slow drift on a shared machine (or
          // the server warming up) does not always favour the same tool. The reference runs in
          // the same rotation, for the small files only.
          const runners = workload === 'small' && reference ? [...tools, reference] : tools;
          for (const tool of rotate(runners, rep - 1)) runs.push(await timedRun(tool, workload, rep, config, fixtures, bucket, stateRoot));
        }
      }
    }
    if (fixtures && bucket && config.kill) {
      await warmPageCache(fixtures);
      for (const tool of tools) {
        log(`${tool.label}: kill at 50% and rerun...`);
        const kill = await measureKillResume(tool, config, fixtures, bucket, stateRoot);
        kills.set(tool.name, kill);
        log(kill.ok ? `  re-sent ${(kill.resentBytes / MIB).toFixed(1)} MiB (killed at ${(kill.bytesAtKill / MIB).toFixed(1)} MiB, the killed run sent ${(kill.bytesFirstRun / MIB).toFixed(1)} MiB)` : `  FAILED: ${kill.failure}`);
        await bucket.empty();
      }
    }
    if (bucket && config.scenarios.has('storm')) {
      log(`Quire in a SlowDown storm (${Math.round(config.storm.fraction * 100)}% of requests), ${config.storm.reps} repetition(s) of clean and storm...`);
      storm = await measureStorm(config, bucket, stateRoot, log);
      log(`  clean ${storm.cleanSeconds.toFixed(2)} s, storm ${storm.stormSeconds.toFixed(2)} s: ${(storm.stormSeconds / storm.cleanSeconds).toFixed(2)}× (target < ${config.storm.target}×)`);
    }
    if (bucket && config.scenarios.has('cap')) {
      log(`Quire under a ${(config.cap.bytesPerSecond / MIB).toFixed(2)} MiB/s cap for ${config.cap.seconds} s...`);
      cap = await measureCap(config, bucket, stateRoot);
      log(cap.failure ? `  FAILED: ${cap.failure}` : `  measured ${(cap.measuredBytesPerSecond / MIB).toFixed(3)} MiB/s over ${cap.seconds.toFixed(1)} s (10-s stretches ${(cap.slowestWindow / MIB).toFixed(3)}–${(cap.fastestWindow / MIB).toFixed(3)} MiB/s)`);
    }
    if (config.scenarios.has('watch')) {
      const w = config.watch;
      log(`A watch folder of ${w.folders * w.filesPerFolder} × ${w.fileBytes / 1024} KiB in ${w.folders} folders: first sync (Quire, bare reference, rclone, AWS CLI), again with nothing changed, then quire run --follow...`);
      watch = await measureWatch(config, stateRoot, log);
    }
    if (config.scenarios.has('images')) {
      const c = config.images;
      log(`Images: ${c.count} photos of ${c.width}×${c.height}, web preset, Quire's pool (native, ${c.reps} cold pass(es), then warm${c.wasm ? ', then wasm' : ''}) and vipsthumbnail (${c.streams} at a time)...`);
      images = await measureImages(config, stateRoot, log);
    }
    if (config.scenarios.has('analytics')) {
      const c = config.analytics;
      log(`Analytics: a ledger of ${c.days} days with ${c.operations} requests, each query timed before and after rolling up requests older than ${c.retentionDays} days...`);
      analytics = await measureAnalytics(config, stateRoot, log);
    }
    if (config.scenarios.has('usage')) {
      const c = config.usage;
      log(`Usage: buckets of ${c.objects} and ${c.smallObjects} objects over the book layout, each counted by quire usage --refresh, rclone size and aws s3 ls --recursive --summarize, ${c.reps} repetition(s)...`);
      usage = await measureUsage(config, stateRoot, log);
    }
  } finally {
    await bucket?.destroy().catch((error: Error) => log(`could not delete bucket ${bucket.name}: ${error.message}`));
    await rm(stateRoot, { recursive: true, force: true });
  }

  const report = renderReport({
    config,
    tools,
    reference,
    versions,
    runs,
    kills,
    storm,
    cap,
    watch,
    images,
    analytics,
    usage,
    startedAt,
    elapsedSeconds: (Date.now() - startedAt.getTime()) / 1000,
    machine: describeMachine(),
    load: load.stop(),
  });
  process.stdout.write(report);
  // Only a run with the comparison replaces bench/results/latest.md; the watch folder alone
  // (BENCH_ONLY=watch) and the images alone (BENCH_ONLY=images) have their own files beside it;
  // any other run of some scenarios alone is written beside the work files, named after what it measured.
  const only = SCENARIOS.filter((s) => config.scenarios.has(s));
  const ownFile = only.length === 1 && (only[0] === 'watch' || only[0] === 'images' || only[0] === 'usage' || only[0] === 'analytics');
  const resultsFile = compare ? config.resultsFile : ownFile ? join(dirname(config.resultsFile), `${only[0]}.md`) : join(config.workDir, `results-${only.join('-')}.md`);
  await mkdir(dirname(resultsFile), { recursive: true });
  await writeFile(resultsFile, report);
  log(`written to ${resultsFile}`);
}

/**
 * One timed upload with a freshly opened tool (new data folder or config), then a check that the
 * bucket really holds every byte, then the bucket emptied for the next run. A failure is recorded
 * and shown, never thrown: one broken tool must not cost the whole table.
 */
async function timedRun(tool: Tool, workload: Workload, rep: number, config: BenchConfig, fixtures: Fixtures, bucket: BenchBucket, stateRoot: string): Promise<RunRecord> {
  const prefix = `${tool.name}/${workload}-${rep}`;
  let measurement: Measurement;
  let failure: string | null;
  try {
    const session = await tool.open(config.s3.endpoint, bucket.name, join(stateRoot, `${tool.name}-${workload}-${rep}`));
    const invocation =
      workload === 'big' ? session.uploadFile(fixtures.bigFile, prefix, config.bigConcurrency) : session.uploadFolder(fixtures.smallDir, prefix, config.smallConcurrency);
    measurement = await measure(invocation, config.timeoutMs);
    failure = measurement.failure ?? (await checkStored(workload, prefix, config, fixtures, bucket));
  } catch (error) {
    measurement = { ok: false, exitCode: null, signal: null, wallSeconds: NaN, cpuSeconds: NaN, peakRssBytes: NaN, stdout: '', stderr: String(error), failure: null };
    failure = `could not set up: ${(error as Error).message}`;
  }
  const m = measurement;
  if (failure) {
    log(`${tool.label} ${workload} #${rep}: FAILED — ${failure}`);
    if (m.stderr.trim()) log(`  stderr:\n${indent(m.stderr.trim().split('\n').slice(-20).join('\n'))}`);
  } else {
    const rate = workload === 'big' ? `${(config.bigBytes / MIB / m.wallSeconds).toFixed(1)} MiB/s` : `${(config.smallFiles / m.wallSeconds).toFixed(1)} files/s`;
    log(`${tool.label} ${workload} #${rep}: ${m.wallSeconds.toFixed(2)} s, ${rate}, CPU ${m.cpuSeconds.toFixed(2)} s, peak RSS ${(m.peakRssBytes / 1e6).toFixed(0)} MB`);
  }
  await bucket.empty();
  return { tool: tool.name, workload, rep, measurement, failure };
}

/**
 * Exit status 0 is not taken on trust: the objects must be there, every one, at full size, and the
 * big file must have been sent in parts of the agreed size (its ETag's "-N" suffix is the part count).
 */
async function checkStored(workload: Workload, prefix: string, config: BenchConfig, fixtures: Fixtures, bucket: BenchBucket): Promise<string | null> {
  const expected = workload === 'big' ? { count: 1, bytes: config.bigBytes } : { count: config.smallFiles, bytes: config.smallFiles * config.smallBytes };
  const stored = await bucket.summarize(prefix);
  if (stored.count !== expected.count || stored.bytes !== expected.bytes) {
    return `exit 0, but the bucket holds ${stored.count} object(s), ${stored.bytes} bytes under ${prefix}/ (expected ${expected.count}, ${expected.bytes})`;
  }
  if (workload === 'big') {
    const parts = Math.ceil(config.bigBytes / (config.partSizeMiB * MIB));
    const head = await bucket.head(`${prefix}/${basename(fixtures.bigFile)}`);
    if (!head?.etag.endsWith(`-${parts}`)) return `uploaded, but not in ${parts} parts of ${config.partSizeMiB} MiB (ETag ${head?.etag ?? 'none'})`;
  }
  return null;
}

function rotate<T>(items: T[], by: number): T[] {
  const k = by % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

function indent(text: string): string {
  return text.replace(/^/gm, '    ');
}

function log(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

main().catch((error: unknown) => {
  log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
});
