import { randomFillSync } from 'node:crypto';
import { rm, utimes, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { FaultProxy, type SeenRequest } from '../test/support/faultProxy';
import { BenchBucket } from './bucket';
import type { BenchConfig } from './config';
import { ensureFileTree, setFileTimes, warmPageCache } from './fixtures';
import { LedgerProbe } from './ledgerProbe';
import { killGroup, measure, startChild, type Invocation, type Measurement } from './measure';
import { cpuSecondsOf, executableOf, memoryOf } from './processProbe';
import { AWS_BIN, RCLONE_BIN, awsEnv, bareReference, makeTools, openQuire, rcloneEnv, type QuireSession } from './tools';

/** Who syncs the watch folder: Quire, the bare-request reference, and the two rivals. */
export const WATCH_RUNNERS = ['quire', 'bare', 'rclone', 'aws'] as const;
export type WatchRunner = (typeof WATCH_RUNNERS)[number];

/** One timed command of the section. */
export interface SyncRun {
  runner: WatchRunner;
  /** first: the first sync of the tree; again: the same command with nothing changed; again-counted: once more, through the counting proxy. */
  phase: 'first' | 'again' | 'again-counted';
  rep: number;
  measurement: Measurement;
  failure: string | null;
  /** Requests by operation (list, head, put...): on the wire for again-counted, from Quire's ledger for Quire's runs; null when not counted. */
  requests: Record<string, number> | null;
}

/** One new file dropped into the folder while `quire run --follow` runs. */
export interface NoticeRun {
  /** settled: written with an mtime a minute old; fresh: written now, so the quiet rule holds it. */
  kind: 'settled' | 'fresh';
  attempt: number;
  /** From the file being in place to the upload row (Quire's clock, the same machine's) and to verified. */
  queuedMs: number;
  verifiedMs: number;
  /** Requests on the wire from the file being in place until a second after it was verified. */
  requests: number;
  failure: string | null;
}

export interface FollowResult {
  failure: string | null;
  /** From starting `quire run --follow` until its first scan of the folder was recorded, and until its CPU went quiet. */
  scannedSeconds: number;
  quietSeconds: number;
  startCpuSeconds: number;
  idleSeconds: number;
  idleCpuSeconds: number;
  idleRssBytes: number;
  /** Requests on the wire while idle. */
  idleRequests: number;
  notices: NoticeRun[];
  /** VmHWM of the follow process before it was stopped. */
  peakRssBytes: number;
  /** Requests during the start (the first scan), on the wire. */
  startRequests: number;
}

export interface WatchResult {
  files: number;
  folders: number;
  fileBytes: number;
  concurrency: number;
  reps: number;
  runs: SyncRun[];
  /** `quire watch add` wall seconds (once per repetition). */
  addSeconds: number[];
  follow: FollowResult | null;
  versions: Map<WatchRunner, string>;
  commands: Map<WatchRunner, string>;
  /** Where Quire's CPU profiles went, when its syncs ran under the profiler. */
  profileDir: string | null;
}

/** How long a new file may take to be verified before the bench gives up on it. */
const NOTICE_TIMEOUT_MS = 30_000;
/** A quiet process: under this much CPU over a second. */
export const QUIET_CPU_PER_SECOND = 0.02;
/** At most this long is waited for the follow process to go quiet after its first scan. */
const QUIET_TIMEOUT_MS = 30_000;

/**
 * The watch folder of the issue's "many small files": a tree of 1,000 folders × 10 files of
 * 64 KiB, written a minute ago (settled).
 * 1. First sync: `quire watch add` then `quire run` (scan, queue, upload, verify), beside the
 *    bare-request reference, `rclone copy` and `aws s3 sync` of the same tree, each to its own
 *    fresh bucket; wall time, CPU and peak RSS from wait4, every object counted in the bucket.
 * 2. Again with nothing changed: `quire run` on the same data folder (requests from its ledger's
 *    operations table), `rclone copy` and `aws s3 sync` to the same place; then each once more
 *    through the counting proxy, so every tool's requests are also counted on the wire.
 * 3. `quire run --follow` after the first sync: CPU and RSS over a stretch of nothing happening
 *    (from /proc), then the time from a new file being in place to its upload verified, for a
 *    settled file and for a freshly written one (which the quiet rule holds about 2 s).
 */
export async function measureWatch(config: BenchConfig, stateRoot: string, log: (message: string) => void): Promise<WatchResult> {
  const w = config.watch;
  const tree = await ensureFileTree(join(config.workDir, 'data'), w.folders, w.filesPerFolder, w.fileBytes);
  const name = basename(tree.dir);
  const expected = { count: tree.files.length, bytes: tree.files.length * w.fileBytes };
  // Written a minute ago: past the quiet rule, so every file counts as settled; recent enough
  // that Quire still asks whether a process holds it open for writing, as after a real export.
  await setFileTimes(tree.files, Date.now() - 60_000);
  await warmPageCache(tree.files);

  const tools = makeTools({ ...config, tools: ['quire', 'rclone', 'aws'] });
  const bare = bareReference(config);
  const versions = new Map<WatchRunner, string>();
  for (const tool of tools) versions.set(tool.name as WatchRunner, await tool.version());
  versions.set('bare', await bare.version());
  const n = w.concurrency;
  const quireFlags = ['--concurrency', String(n), '--requests-per-second', '10000', '--part-size', `${config.partSizeMiB}MiB`, '--json'];
  // The same command the first time and every time after: what a scheduled sync runs. rclone
  // lists each folder of the destination and, by default, HEADs each object there for the
  // modification time it stored; aws s3 sync lists the prefix and compares size and time.
  const rcloneFlags = ['--transfers', String(n), '--checkers', String(n), '--s3-upload-concurrency', '1', '--s3-chunk-size', `${config.partSizeMiB}M`, '--s3-upload-cutoff', `${config.partSizeMiB}M`, '--s3-no-check-bucket', '--stats', '0', '-q'];
  const awsQuiet = ['--only-show-errors', '--no-progress'];
  const commands = new Map<WatchRunner, string>([
    ['quire', `\`quire watch add TREE --to PREFIX\`, then \`quire run ${quireFlags.join(' ')}\`; again: the same \`quire run\`; follow: \`quire run --follow\` with the same flags`],
    ['bare', `\`node bareClient.mjs TREE PREFIX ${n}\`: every file read whole, hashed and PUT through Quire's ObjectWriter, ${n} in flight; no ledger, no queue, nothing to compare (first sync only)`],
    ['rclone', `\`rclone copy TREE bench:BUCKET/PREFIX/TREE ${rcloneFlags.join(' ')}\` both times (without --no-check-dest, which would send everything again)`],
    ['aws', `\`aws s3 sync TREE s3://BUCKET/PREFIX/TREE/ --endpoint-url ... ${awsQuiet.join(' ')}\` both times; config \`max_concurrent_requests = ${n}\`, \`addressing_style = path\``],
  ]);

  // Quire's syncs under V8's profiler when asked (BENCH_WATCH_PROFILE): one profile per process, by phase.
  const profiled = (invocation: Invocation, phase: string): Invocation =>
    w.profileDir ? { ...invocation, env: { ...invocation.env, NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${join(w.profileDir, phase)}` } } : invocation;
  const awsEnvironment = await awsEnv(config, join(stateRoot, 'watch-aws'), n);
  const invocations = {
    rclone: (endpoint: string, bucket: string, prefix: string) => ({ command: RCLONE_BIN, args: ['--config', '', 'copy', tree.dir, `bench:${bucket}/${prefix}/${name}`, ...rcloneFlags], env: rcloneEnv(config, endpoint) }),
    aws: (endpoint: string, bucket: string, prefix: string) => ({ command: AWS_BIN, args: ['s3', 'sync', tree.dir, `s3://${bucket}/${prefix}/${name}/`, '--endpoint-url', endpoint, ...awsQuiet], env: awsEnvironment }),
  };

  const buckets = new Map<WatchRunner, BenchBucket>();
  const runs: SyncRun[] = [];
  const addSeconds: number[] = [];
  let follow: FollowResult | null = null;
  // Kept across the phases (an object, so the closures below and the code after them agree on its type).
  const kept: { quire: { session: QuireSession; home: string } | null; proxy: FaultProxy | null } = { quire: null, proxy: null };
  const newFiles: string[] = [];
  try {
    for (const runner of WATCH_RUNNERS) buckets.set(runner, await BenchBucket.create(config));
    const bucketOf = (runner: WatchRunner) => buckets.get(runner)!;

    // 1. The first sync, each tool from nothing into its own bucket.
    for (let rep = 1; rep <= w.reps; rep += 1) {
      for (const runner of rotate([...WATCH_RUNNERS], rep - 1)) {
        const prefix = `${runner}-${rep}`;
        const bucket = bucketOf(runner);
        let measurement: Measurement = notRun();
        let failure: string | null = null;
        let requests: Record<string, number> | null = null;
        try {
          if (runner === 'quire') {
            const home = join(stateRoot, `watch-quire-${rep}`);
            const session = await openQuire(config, config.s3.endpoint, bucket.name, home);
            const add = await measure(session.invoke(['watch', 'add', tree.dir, '--to', `${prefix}/${name}`, '--json']), config.timeoutMs);
            if (add.failure) throw new Error(`quire watch add: ${add.failure}`);
            addSeconds.push(add.wallSeconds);
            const ledger = new LedgerProbe(join(home, 'quire-home'));
            const before = ledger.lastOperationId();
            measurement = await measure(profiled(session.invoke(['run', ...quireFlags]), `first-${rep}`), config.timeoutMs);
            requests = ledger.operationsSince(before);
            failure = measurement.failure ?? checkQuireReport(measurement.stdout, expected.count);
            kept.quire = { session, home: join(home, 'quire-home') };
          } else if (runner === 'bare') {
            const session = await bare.open(config.s3.endpoint, bucket.name, join(stateRoot, `watch-bare-${rep}`));
            measurement = await measure(session.uploadFolder(tree.dir, prefix, n), config.timeoutMs);
          } else {
            measurement = await measure(invocations[runner](config.s3.endpoint, bucket.name, prefix), config.timeoutMs);
          }
          failure ??= measurement.failure ?? (await checkStored(bucket, `${prefix}/${name}`, expected));
        } catch (error) {
          failure = `could not run: ${(error as Error).message}`;
        }
        runs.push({ runner, phase: 'first', rep, measurement, failure, requests });
        logRun(log, runner, 'first sync', rep, measurement, failure, expected.count);
        // Only the last repetition's objects are kept, for the syncs with nothing changed.
        if (rep < w.reps || runner === 'bare') await bucket.empty();
      }
    }

    // 2. The same again, nothing changed: timed directly, then counted through the proxy.
    const last = w.reps;
    const again = async (runner: WatchRunner, counted: boolean): Promise<void> => {
      const bucket = bucketOf(runner);
      const prefix = `${runner}-${last}`;
      const proxy = counted ? new FaultProxy(config.s3.endpoint) : null;
      await proxy?.start();
      const endpoint = proxy?.endpoint ?? config.s3.endpoint;
      let measurement: Measurement = notRun();
      let failure: string | null = null;
      let requests: Record<string, number> | null = null;
      try {
        if (runner === 'quire') {
          const quire = kept.quire;
          if (!quire) throw new Error('the first sync did not run');
          const ledger = new LedgerProbe(quire.home);
          if (proxy) ledger.pointConnectionAt('bench', proxy.endpoint);
          const before = ledger.lastOperationId();
          measurement = await measure(counted ? quire.session.invoke(['run', ...quireFlags]) : profiled(quire.session.invoke(['run', ...quireFlags]), 'again'), config.timeoutMs);
          requests = proxy ? countByOp(proxy.seen) : ledger.operationsSince(before);
          failure = measurement.failure ?? checkQuireReport(measurement.stdout, 0) ?? checkWatched(ledger, expected.count);
        } else {
          measurement = await measure(invocations[runner as 'rclone' | 'aws'](endpoint, bucket.name, prefix), config.timeoutMs);
          if (proxy) requests = countByOp(proxy.seen);
        }
        failure ??= measurement.failure ?? (await checkStored(bucket, `${prefix}/${name}`, expected));
        if (!failure && requests && (requests.put ?? 0) + (requests.part ?? 0) > 0) failure = `sent ${(requests.put ?? 0) + (requests.part ?? 0)} file(s) again with nothing changed`;
      } catch (error) {
        failure = `could not run: ${(error as Error).message}`;
      } finally {
        // Quire's connection stays on the proxy: its requests while following are counted too.
        if (proxy && runner === 'quire') kept.proxy = proxy;
        else await proxy?.stop();
      }
      runs.push({ runner, phase: counted ? 'again-counted' : 'again', rep: last, measurement, failure, requests });
      logRun(log, runner, counted ? 'again, through the counting proxy' : 'again, nothing changed', last, measurement, failure, expected.count, requests);
    };
    for (const runner of ['quire', 'rclone', 'aws'] as const) {
      await again(runner, false);
      await again(runner, true);
    }

    // 3. Following: idle, then new files.
    const { quire, proxy } = kept;
    if (quire && proxy) follow = await measureFollow(config, quire.session, new LedgerProbe(quire.home), proxy, quireFlags, tree, newFiles, log);
  } finally {
    await kept.proxy?.stop();
    // The tree is the next bench's fixture: the files added while following go.
    await Promise.all(newFiles.map((file) => rm(file, { force: true })));
    for (const bucket of buckets.values()) await bucket.destroy().catch((error: Error) => log(`could not delete bucket ${bucket.name}: ${error.message}`));
  }
  if (w.profileDir) log(`watch: Quire's CPU profiles are in ${w.profileDir}; read one with: npx --no-install tsx bench/cpuProfile.ts FILE.cpuprofile`);
  return { files: expected.count, folders: w.folders, fileBytes: w.fileBytes, concurrency: n, reps: w.reps, runs, addSeconds, follow, versions, commands, profileDir: w.profileDir };
}

async function measureFollow(
  config: BenchConfig,
  session: QuireSession,
  ledger: LedgerProbe,
  proxy: FaultProxy,
  quireFlags: string[],
  tree: { dir: string; files: string[] },
  newFiles: string[],
  log: (message: string) => void,
): Promise<FollowResult> {
  const w = config.watch;
  const result: FollowResult = {
    failure: null,
    scannedSeconds: NaN,
    quietSeconds: NaN,
    startCpuSeconds: NaN,
    idleSeconds: w.idleSeconds,
    idleCpuSeconds: NaN,
    idleRssBytes: NaN,
    idleRequests: NaN,
    notices: [],
    peakRssBytes: NaN,
    startRequests: NaN,
  };
  const invocation = session.invoke(['run', '--follow', ...quireFlags]);
  const startedAt = Date.now();
  const requestsAtStart = proxy.seen.length;
  const child = startChild(invocation.command, invocation.args, invocation.env, config.timeoutMs + 10 * 60_000);
  let exited = false;
  void child.done.then(() => (exited = true));
  const fail = (why: string) => {
    result.failure = why;
    log(`watch: follow: FAILED — ${why}`);
    return result;
  };
  try {
    // bin/quire execs node: wait until the PID is node's, so /proc describes Quire, not bash.
    while (!exited && !executableOf(child.pid).endsWith('/node')) {
      if (Date.now() - startedAt > 10_000) return fail(`bin/quire did not become node within 10 s (it runs ${executableOf(child.pid) || 'nothing'})`);
      await sleep(5);
    }
    // Started: its first scan of the folder is recorded in the ledger.
    for (;;) {
      if (exited) return fail(`quire run --follow ended at start: ${(await child.done).stderr.trim().split('\n').at(-1) ?? ''}`);
      const scanned = ledger.lastScanAt();
      if (scanned !== null && scanned >= startedAt) break;
      if (Date.now() - startedAt > 120_000) return fail('no scan of the folder recorded 2 minutes after start');
      await sleep(50);
    }
    result.scannedSeconds = (Date.now() - startedAt) / 1000;
    // Then quiet: chokidar may still be setting up its watches after the scan.
    let previous = cpuSecondsOf(child.pid);
    for (const quietFrom = Date.now(); Date.now() - quietFrom < QUIET_TIMEOUT_MS; ) {
      await sleep(1000);
      const now = cpuSecondsOf(child.pid);
      if (now - previous < QUIET_CPU_PER_SECOND) break;
      previous = now;
    }
    result.quietSeconds = (Date.now() - startedAt) / 1000;
    result.startCpuSeconds = cpuSecondsOf(child.pid);
    result.startRequests = proxy.seen.length - requestsAtStart;
    log(`watch: follow: first scan done after ${result.scannedSeconds.toFixed(2)} s, quiet after ${result.quietSeconds.toFixed(1)} s (${result.startCpuSeconds.toFixed(2)} CPU s, ${result.startRequests} requests)`);

    // Idle: nothing happens for a while.
    const idleCpu = cpuSecondsOf(child.pid);
    const idleRequests = proxy.seen.length;
    await sleep(w.idleSeconds * 1000);
    if (exited) return fail('quire run --follow ended while idle');
    result.idleCpuSeconds = cpuSecondsOf(child.pid) - idleCpu;
    result.idleRequests = proxy.seen.length - idleRequests;
    result.idleRssBytes = memoryOf(child.pid).rssBytes;
    log(
      `watch: follow: idle ${w.idleSeconds} s: ${result.idleCpuSeconds.toFixed(2)} CPU s (${((100 * result.idleCpuSeconds) / w.idleSeconds).toFixed(2)}% of a core), RSS ${(result.idleRssBytes / 1e6).toFixed(0)} MB, ${result.idleRequests} requests`,
    );

    // New files, into existing folders spread over the tree; settled and fresh taking turns.
    const folders = [...new Set(tree.files.map((file) => dirname(file)))];
    for (let attempt = 1; attempt <= w.noticeTries; attempt += 1) {
      for (const kind of ['settled', 'fresh'] as const) {
        const folder = folders[Math.floor(((attempt * 2 + (kind === 'fresh' ? 1 : 0)) * folders.length) / (w.noticeTries * 2 + 2)) % folders.length]!;
        const file = join(folder, `new-${kind}-${attempt}-${Date.now()}.bin`);
        newFiles.push(file);
        const notice = await noticeOne(file, kind, attempt, w.fileBytes, ledger, proxy, () => exited);
        result.notices.push(notice);
        log(
          notice.failure
            ? `watch: follow: new ${kind} file #${attempt}: FAILED — ${notice.failure}`
            : `watch: follow: new ${kind} file #${attempt}: queued after ${notice.queuedMs} ms, verified after ${notice.verifiedMs} ms (${notice.requests} request(s))`,
        );
        await sleep(1000);
      }
    }
    result.peakRssBytes = memoryOf(child.pid).peakRssBytes;
  } catch (error) {
    return fail((error as Error).message);
  } finally {
    // SIGTERM: the clean stop an author's service manager sends; then whatever is left of the group.
    if (!exited) process.kill(child.pid, 'SIGTERM');
    const stopped = await Promise.race([child.done.then(() => true), sleep(20_000).then(() => false)]);
    if (!stopped) {
      killGroup(child.pid, 'SIGKILL');
      await child.done;
      result.failure ??= 'quire run --follow did not stop within 20 s of SIGTERM';
    }
  }
  return result;
}

/** Writes one new file into the watched tree and waits for the ledger to hold it verified. */
async function noticeOne(file: string, kind: 'settled' | 'fresh', attempt: number, size: number, ledger: LedgerProbe, proxy: FaultProxy, exited: () => boolean): Promise<NoticeRun> {
  const bytes = randomFillSync(Buffer.allocUnsafe(size));
  const before = proxy.seen.length;
  await writeFile(file, bytes);
  if (kind === 'settled') {
    const past = (Date.now() - 60_000) / 1000;
    await utimes(file, past, past);
  }
  // In place, whole, closed (and for a settled file, dated): the clock starts.
  const placedAt = Date.now();
  const run = (failure: string | null, queuedMs = NaN, verifiedMs = NaN): NoticeRun => ({ kind, attempt, queuedMs, verifiedMs, requests: proxy.seen.length - before, failure });
  while (Date.now() - placedAt < NOTICE_TIMEOUT_MS) {
    if (exited()) return run('quire run --follow ended');
    const upload = ledger.uploadOf(file);
    if (upload?.status === 'verified' && upload.verifiedAt !== null) {
      // Requests that belong to it but land after the verification (none expected) are counted too.
      await sleep(1000);
      return run(null, upload.createdAt - placedAt, upload.verifiedAt - placedAt);
    }
    if (upload && ['failed', 'cancelled'].includes(upload.status)) return run(`its upload ${upload.status}`);
    await sleep(20);
  }
  return run(`not verified within ${NOTICE_TIMEOUT_MS / 1000} s`);
}

/** Quire's own account (`--json`): the run verified exactly `files` uploads and left none failed or waiting. */
function checkQuireReport(stdout: string, files: number): string | null {
  try {
    const report = JSON.parse(stdout) as { run?: { verified?: number; failed?: number; waiting?: number } };
    const run = report.run ?? {};
    if (run.verified !== files || run.failed || run.waiting) return `exit 0, but Quire reports ${run.verified ?? 'no'} upload(s) verified (expected ${files}), ${run.failed ?? '?'} failed, ${run.waiting ?? '?'} waiting`;
    return null;
  } catch {
    return `exit 0, but its --json output is not JSON: ${stdout.slice(0, 200)}`;
  }
}

/** The ledger's account: every file of the tree synced (the bucket holds that version). */
function checkWatched(ledger: LedgerProbe, files: number): string | null {
  const states = ledger.watchedFilesByState();
  return states.synced === files ? null : `the ledger does not hold every file synced: ${JSON.stringify(states)}`;
}

async function checkStored(bucket: BenchBucket, prefix: string, expected: { count: number; bytes: number }): Promise<string | null> {
  const stored = await bucket.summarize(prefix);
  if (stored.count !== expected.count || stored.bytes !== expected.bytes) {
    return `the bucket holds ${stored.count} object(s), ${stored.bytes} bytes under ${prefix}/ (expected ${expected.count}, ${expected.bytes})`;
  }
  return null;
}

function countByOp(seen: SeenRequest[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const request of seen) counts[request.op] = (counts[request.op] ?? 0) + 1;
  return counts;
}

export function requestTotal(requests: Record<string, number> | null): number {
  return requests ? Object.values(requests).reduce((sum, n) => sum + n, 0) : NaN;
}

function logRun(log: (message: string) => void, runner: WatchRunner, what: string, rep: number, m: Measurement, failure: string | null, files: number, requests?: Record<string, number> | null): void {
  const wire = requests ? `, ${requestTotal(requests)} request(s) ${JSON.stringify(requests)}` : '';
  if (failure) log(`watch: ${runner} ${what} #${rep}: FAILED — ${failure}${wire}`);
  else log(`watch: ${runner} ${what} #${rep}: ${m.wallSeconds.toFixed(2)} s${what === 'first sync' ? `, ${(files / m.wallSeconds).toFixed(1)} files/s` : ''}, CPU ${m.cpuSeconds.toFixed(2)} s, peak RSS ${(m.peakRssBytes / 1e6).toFixed(0)} MB${wire}`);
}

function notRun(): Measurement {
  return { ok: false, exitCode: null, signal: null, wallSeconds: NaN, cpuSeconds: NaN, peakRssBytes: NaN, stdout: '', stderr: '', failure: null };
}

function rotate<T>(items: T[], by: number): T[] {
  const k = by % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}
