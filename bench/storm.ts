import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { FaultProxy } from '../test/support/faultProxy';
import type { BenchBucket } from './bucket';
import { MIB, type BenchConfig } from './config';
import { ensureRandomFile, ensureSmallFiles, warmPageCache } from './fixtures';
import { measure, type Measurement } from './measure';
import { median } from './report';
import { openQuire } from './tools';

/** One upload of the storm's data by Quire, in clear weather or in the storm. */
export interface StormRun {
  storm: boolean;
  rep: number;
  measurement: Measurement;
  /** Null when Quire succeeded and every object checks out; else why not. */
  failure: string | null;
  /** Requests that reached the proxy during the upload, and how many of them it answered SlowDown. */
  requests: number;
  slowDowns: number;
}

export interface StormResult {
  runs: StormRun[];
  /** Medians of the successful runs' wall times; NaN when none succeeded. */
  cleanSeconds: number;
  stormSeconds: number;
  files: number;
  bytes: number;
  /** What was uploaded, in words, and with how many requests in flight. */
  label: string;
  concurrency: number;
}

/**
 * The request budget for the storm (as for the comparison's small files). The request rate is
 * left at Quire's default (300/s, Spaces' limit for older buckets): the pacer is what a storm
 * of SlowDown answers works on, so it is measured as authors run it.
 */
const STORM_CONCURRENCY = 16;

/**
 * "A storm of 503 SlowDown answers": Quire uploads 200 small files and a 100 MiB file in one
 * `quire upload` through the fault proxy (test/support/faultProxy.ts, in this process), once with
 * every request passed on and once with a random 30% of them answered `503 SlowDown` instead.
 * Each run must end with every object in the bucket, its bytes' SHA-256 equal to the file's, no
 * other key under the prefix (no duplicates) and no multipart upload left open. The figure is the
 * ratio of the median wall times, storm over clean.
 */
export async function measureStorm(config: BenchConfig, bucket: BenchBucket, stateRoot: string, log: (message: string) => void): Promise<StormResult> {
  const { storm } = config;
  const dataDir = join(config.workDir, 'data');
  const small = await ensureSmallFiles(dataDir, storm.smallFiles, storm.smallBytes);
  const bigFile = await ensureRandomFile(dataDir, storm.bigBytes);
  // Key under the prefix -> SHA-256 of the file it must hold (a folder keeps its name in the key).
  const expected = new Map<string, string>();
  for (const file of small.files) expected.set(`${basename(small.dir)}/${basename(file)}`, await sha256OfFile(file));
  expected.set(basename(bigFile), await sha256OfFile(bigFile));

  const runs: StormRun[] = [];
  for (let rep = 1; rep <= storm.reps; rep += 1) {
    await warmPageCache([bigFile, ...small.files]);
    // Clean first on odd repetitions, the storm first on even ones: slow drift on a shared
    // machine then weighs on both alike.
    for (const stormy of rep % 2 ? [false, true] : [true, false]) {
      const run = await stormRun(config, bucket, stateRoot, rep, stormy, [small.dir, bigFile], expected);
      runs.push(run);
      const label = `storm: ${stormy ? 'storm' : 'clean'} #${rep}`;
      const wire = `${run.requests} requests, ${run.slowDowns} answered SlowDown`;
      log(run.failure ? `${label}: FAILED — ${run.failure} (${wire})` : `${label}: ${run.measurement.wallSeconds.toFixed(2)} s (${wire})`);
    }
  }
  const seconds = (stormy: boolean) => median(runs.filter((r) => r.storm === stormy && r.failure === null).map((r) => r.measurement.wallSeconds));
  return {
    runs,
    cleanSeconds: seconds(false),
    stormSeconds: seconds(true),
    files: expected.size,
    bytes: storm.smallFiles * storm.smallBytes + storm.bigBytes,
    label: `${storm.smallFiles} × ${storm.smallBytes / 1024} KiB + a ${storm.bigBytes / MIB} MiB file`,
    concurrency: STORM_CONCURRENCY,
  };
}

async function stormRun(config: BenchConfig, bucket: BenchBucket, stateRoot: string, rep: number, stormy: boolean, paths: string[], expected: Map<string, string>): Promise<StormRun> {
  const proxy = new FaultProxy(config.s3.endpoint);
  await proxy.start();
  const prefix = `storm/${stormy ? 'storm' : 'clean'}-${rep}`;
  let measurement: Measurement = { ok: false, exitCode: null, signal: null, wallSeconds: NaN, cpuSeconds: NaN, peakRssBytes: NaN, stdout: '', stderr: '', failure: null };
  let failure: string | null = null;
  let requests = 0;
  let slowDowns = 0;
  try {
    // Connected in clear weather: `connect add` tests the bucket, and that is not what is timed.
    const session = await openQuire(config, proxy.endpoint, bucket.name, join(stateRoot, `storm-${stormy ? 'storm' : 'clean'}-${rep}`));
    const before = proxy.seen.length;
    const weather = stormy ? proxy.slowDownStorm(config.storm.fraction, seededRandom(rep)) : null;
    try {
      measurement = await measure(session.invoke(['upload', ...paths, '--to', `${prefix}/`, '--concurrency', String(STORM_CONCURRENCY), '--part-size', '10MiB', '--json']), config.timeoutMs);
    } finally {
      weather?.stop();
    }
    requests = proxy.seen.length - before;
    slowDowns = weather?.answered() ?? 0;
    failure = measurement.failure ?? (await checkReport(measurement.stdout, expected.size)) ?? (await checkBucket(bucket, prefix, expected));
  } catch (error) {
    failure = `could not run: ${(error as Error).message}`;
  } finally {
    await proxy.stop();
    await bucket.empty();
  }
  return { storm: stormy, rep, measurement, failure, requests, slowDowns };
}

/** Quire's own account (`--json`): every file verified, none failed or left waiting. */
async function checkReport(stdout: string, files: number): Promise<string | null> {
  try {
    const report = JSON.parse(stdout) as { run?: { verified?: number; failed?: number; waiting?: number } };
    const run = report.run ?? {};
    if (run.verified !== files) return `exit 0, but Quire reports ${run.verified ?? 'no'} of ${files} files verified (${run.failed ?? '?'} failed, ${run.waiting ?? '?'} waiting)`;
    return null;
  } catch {
    return `exit 0, but its --json output is not JSON: ${stdout.slice(0, 200)}`;
  }
}

/** The bucket's own account: exactly the expected keys, each holding its file's bytes, nothing left open. */
async function checkBucket(bucket: BenchBucket, prefix: string, expected: Map<string, string>): Promise<string | null> {
  const keys = await bucket.keys(prefix);
  const names = keys.map((key) => key.slice(prefix.length + 1));
  const missing = [...expected.keys()].filter((name) => !names.includes(name));
  const extra = names.filter((name) => !expected.has(name));
  if (missing.length > 0 || extra.length > 0) {
    return `the bucket holds ${keys.length} object(s) under ${prefix}/ for ${expected.size} files: ${missing.length} missing (${missing.slice(0, 3).join(', ')}), ${extra.length} extra or duplicated (${extra.slice(0, 3).join(', ')})`;
  }
  const wrong: string[] = [];
  const queue = [...expected];
  // A few reads at once: 200 objects one by one would make the check longer than the upload.
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        const [name, sha256] = next;
        if ((await bucket.sha256Of(`${prefix}/${name}`)) !== sha256) wrong.push(name);
      }
    }),
  );
  if (wrong.length > 0) return `${wrong.length} object(s) whose bytes are not the file's (SHA-256 read back): ${wrong.slice(0, 3).join(', ')}`;
  const open = await bucket.openUploads(prefix);
  if (open > 0) return `every object is right, but ${open} multipart upload(s) are left open under ${prefix}/`;
  return null;
}

async function sha256OfFile(path: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(path))
    .digest('hex');
}

/**
 * mulberry32: the same coin tosses, in the same order, for the same repetition in every bench
 * (which requests they fall on still varies with timing).
 */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
