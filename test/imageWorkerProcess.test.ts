import { fork, spawn } from 'node:child_process';
import { EventEmitter, once } from 'node:events';
import { join } from 'node:path';
import { constants } from 'node:os';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imagePresets, MAX_IMAGE_PIXELS } from '../src/shared/images';
import type { PrepareRequest } from '../src/main/core/images/imageJob';
import { ImagePool, type ImagePoolOptions } from '../src/main/core/images/imagePool';
import type { WorkerReply } from '../src/main/core/images/imageWorker';
import { ChildGoneRouter, exitOfUtilityProcess, utilityWorkerProcess, type UtilityChild } from '../src/main/core/images/utilityExit';
import { forkWorker, type WorkerProcess, type WorkerSpawner } from '../src/main/core/images/workerProcess';
import { tempDir } from './support/tempDir';
import { writeLogoPng, writePhoto } from './support/testImages';
import { waitFor } from './support/waitFor';

/**
 * The image pool's workers started through a port (workerProcess.ts): the Node fork the CLI uses,
 * and Electron's utility process, whose ends arrive as a bare number plus a separate report of
 * why. Electron cannot run here: a utility process is played by a real worker process that talks
 * through a `process.parentPort` (test/support/parentPortShim.ts) and whose end is reported as
 * Chromium reports it (the raw wait status, and 'crashed' / 'killed' / 'abnormal-exit').
 */

const status = (signal: NodeJS.Signals) => constants.signals[signal];

describe("a utility process's end, in the pool's words", () => {
  const crashed = (exitCode: number, platform: NodeJS.Platform = 'linux') => exitOfUtilityProcess(exitCode, { reason: 'crashed', exitCode }, platform);

  it('names the signal of a crash on POSIX, core dumped or not: a decoder crash blames the image, a deliberate one does not', () => {
    expect(crashed(status('SIGSEGV'))).toEqual({ code: null, signal: 'SIGSEGV' });
    expect(crashed(status('SIGSEGV') | 0x80)).toEqual({ code: null, signal: 'SIGSEGV' });
    expect(crashed(status('SIGBUS')).signal).toBe('SIGBUS');
    expect(crashed(status('SIGABRT') | 0x80).signal).toBe('SIGABRT');
    // Chromium's and V8's own deliberate crash (a CHECK, V8 out of heap): not the image's fault.
    expect(crashed(status('SIGTRAP')).signal).toBe('SIGTRAP');
    // A crash whose status names no signal is still a crash.
    expect(crashed(0x100).signal).toBe('SIGSEGV');
  });

  it('reads a Windows crash from its exception code, as Electron passes it (a negative int) or unsigned', () => {
    expect(crashed(0xc0000005 | 0, 'win32')).toEqual({ code: null, signal: 'SIGSEGV' });
    expect(crashed(0xc0000005, 'win32').signal).toBe('SIGSEGV');
    expect(crashed(0xc000001d | 0, 'win32').signal).toBe('SIGILL');
    expect(crashed(0x80000003 | 0, 'win32').signal).toBe('SIGTRAP');
    expect(crashed(0xc000012d | 0, 'win32').signal).toBe('SIGKILL');
    expect(crashed(0xc0000135 | 0, 'win32').signal).toBe('SIGSEGV');
    // Windows numbers are not wait statuses: 11 there is not SIGSEGV's number but an unknown crash code.
    expect(crashed(11, 'win32').signal).toBe('SIGSEGV');
  });

  it('never blames the image for an end from outside: killed, out of memory, evicted', () => {
    expect(exitOfUtilityProcess(status('SIGKILL'), { reason: 'killed', exitCode: status('SIGKILL') }, 'linux')).toEqual({ code: null, signal: 'SIGKILL' });
    expect(exitOfUtilityProcess(status('SIGTERM'), { reason: 'killed', exitCode: status('SIGTERM') }, 'linux').signal).toBe('SIGTERM');
    // "killed" with a status naming a crash signal is still a kill.
    expect(exitOfUtilityProcess(status('SIGSEGV'), { reason: 'killed', exitCode: status('SIGSEGV') }, 'linux').signal).toBe('SIGKILL');
    expect(exitOfUtilityProcess(1, { reason: 'killed', exitCode: 1 }, 'win32').signal).toBe('SIGKILL');
    for (const reason of ['oom', 'memory-eviction']) expect(exitOfUtilityProcess(status('SIGKILL'), { reason, exitCode: status('SIGKILL') }, 'linux')).toEqual({ code: null, signal: 'SIGKILL' });
  });

  it('tells a process that never started from one that ended', () => {
    const failed = exitOfUtilityProcess(null, { reason: 'launch-failed', exitCode: 1003 });
    expect([failed.code, failed.signal, failed.spawnError?.message]).toEqual([null, null, expect.stringMatching(/could not launch.*1003/)]);
    expect(exitOfUtilityProcess(null, { reason: 'integrity-failure', exitCode: 7 }).spawnError?.message).toMatch(/refused to run/);
  });

  it('keeps an exit code an exit code: from a POSIX wait status, as given, or with no report at all', () => {
    expect(exitOfUtilityProcess(3, { reason: 'abnormal-exit', exitCode: 3 << 8 }, 'linux')).toEqual({ code: 3, signal: null });
    expect(exitOfUtilityProcess(1, { reason: 'abnormal-exit', exitCode: 1 }, 'linux')).toEqual({ code: 1, signal: null });
    expect(exitOfUtilityProcess(2, { reason: 'abnormal-exit', exitCode: 2 }, 'win32')).toEqual({ code: 2, signal: null });
    expect(exitOfUtilityProcess(0, { reason: 'clean-exit', exitCode: 0 }, 'linux')).toEqual({ code: 0, signal: null });
    // No report: a bare 11 might be SIGSEGV's status or an exit code; the image is not blamed on a guess.
    expect(exitOfUtilityProcess(11, null, 'linux')).toEqual({ code: 11, signal: null });
    expect(exitOfUtilityProcess(5, { reason: 'some-future-reason', exitCode: 5 }, 'linux')).toEqual({ code: 5, signal: null });
  });
});

/** Electron's UtilityProcess as far as the pool's adapter sees it, driven by hand. */
class HandDriven extends EventEmitter {
  pid: number | undefined = undefined;
  readonly posted: unknown[] = [];
  postMessage(message: unknown): void {
    this.posted.push(message);
  }
}

type End = [code: number | null, signal: NodeJS.Signals | null, spawnError?: Error];
const endOf = (worker: WorkerProcess) => new Promise<End>((resolve) => worker.onExit((...end) => resolve(end)));

describe('a utility process as a pool worker: its exit and its report merged', () => {
  const HOUR = 3_600_000;

  it('ends at once on a clean exit, with no report to wait for', async () => {
    const child = new HandDriven();
    const ended = endOf(utilityWorkerProcess(child, 'w1', new ChildGoneRouter(), HOUR));
    child.emit('exit', 0);
    expect(await ended).toEqual([0, null, undefined]);
  });

  it('waits for the report after a non-zero exit, and takes its reason', async () => {
    const router = new ChildGoneRouter();
    const child = new HandDriven();
    const ended = endOf(utilityWorkerProcess(child, 'w2', router, HOUR));
    child.emit('exit', status('SIGSEGV'));
    // Reports about other processes change nothing.
    router.report({ type: 'Utility', name: 'w3', reason: 'killed', exitCode: status('SIGKILL') });
    router.report({ type: 'GPU', name: 'w2', reason: 'killed', exitCode: status('SIGKILL') });
    await new Promise((resolve) => setTimeout(resolve, 20));
    router.report({ type: 'Utility', name: 'w2', reason: 'crashed', exitCode: status('SIGSEGV') });
    // Within the hour of grace: the report ended it, not the timer.
    expect(await ended).toEqual([null, 'SIGSEGV', undefined]);
  });

  it('takes a report that came before the exit', async () => {
    const router = new ChildGoneRouter();
    const child = new HandDriven();
    const ended = endOf(utilityWorkerProcess(child, 'w4', router, HOUR));
    router.report({ type: 'Utility', name: 'w4', reason: 'oom', exitCode: status('SIGKILL') });
    child.emit('exit', status('SIGKILL'));
    expect(await ended).toEqual([null, 'SIGKILL', undefined]);
  });

  it('settles for the exit code when no report comes in time', async () => {
    const router = new ChildGoneRouter();
    const child = new HandDriven();
    const ended = endOf(utilityWorkerProcess(child, 'w5', router, 30));
    child.emit('exit', 1);
    expect(await ended).toEqual([1, null, undefined]);
    // A late report finds nobody listening.
    router.report({ type: 'Utility', name: 'w5', reason: 'crashed', exitCode: status('SIGSEGV') });
  });

  it('reports a launch that failed, though no exit ever comes', async () => {
    const router = new ChildGoneRouter();
    const ended = endOf(utilityWorkerProcess(new HandDriven(), 'w6', router, HOUR));
    router.report({ type: 'Utility', name: 'w6', reason: 'launch-failed', exitCode: 1003 });
    const [code, signal, spawnError] = await ended;
    expect([code, signal, spawnError?.message]).toEqual([null, null, expect.stringMatching(/could not launch/)]);
  });

  it('posts jobs as they are, tells an idle worker to close, and kills one not yet launched as soon as it is', async () => {
    const child = new HandDriven();
    const worker = utilityWorkerProcess(child, 'w7', new ChildGoneRouter(), HOUR);
    worker.send({ kind: 'job', id: 1, cacheDir: '/c', request: {} as PrepareRequest });
    worker.close();
    expect(child.posted).toEqual([{ kind: 'job', id: 1, cacheDir: '/c', request: {} }, { kind: 'close' }]);

    // A real process that would run for a minute, which the adapter learns of only at 'spawn'.
    const real = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
    await once(real, 'spawn');
    const ended = once(real, 'exit');
    worker.kill();
    child.pid = real.pid;
    child.emit('spawn');
    expect(await ended).toEqual([null, 'SIGKILL']);
  });
});

// ---- The pool, with real workers, through spawners ------------------------------------------

const dir = tempDir('image-spawn');
const file = { photo: join(dir, 'photo.jpg'), logo: join(dir, 'logo.png'), big: join(dir, 'big-photo.jpg') };
let caches = 0;

function request(path: string, quality = 80): PrepareRequest {
  return { sourcePath: path, label: `books/${path.slice(dir.length + 1)}`, preset: imagePresets.web, format: 'webp', quality, keepMetadata: false, maxPixels: MAX_IMAGE_PIXELS };
}

const pools: ImagePool[] = [];
function newPool(options: Omit<ImagePoolOptions, 'cacheDir'>): ImagePool {
  // A cache of its own: an image made by an earlier test would come back at once from the cache.
  const pool = new ImagePool({ cacheDir: join(dir, `cache-${++caches}`), ...options });
  pools.push(pool);
  return pool;
}

beforeAll(async () => {
  await Promise.all([writePhoto(file.photo, 1200, 800), writeLogoPng(file.logo, 900, 600), writePhoto(file.big, 8000, 6000)]);
}, 60_000);
afterAll(async () => {
  await Promise.all(pools.map((pool) => pool.stop()));
});

const SHIM = pathToFileURL(join(import.meta.dirname, 'support', 'parentPortShim.ts')).href;
/** Chromium's reasons for a child's end (content's BrowserChildProcessHostImpl): what app 'child-process-gone' says. */
const CRASH_SIGNALS = new Set(['SIGSEGV', 'SIGBUS', 'SIGFPE', 'SIGILL', 'SIGABRT', 'SIGTRAP', 'SIGSYS']);
const KILL_SIGNALS = new Set(['SIGKILL', 'SIGTERM', 'SIGINT']);

/**
 * A real worker, seen as Electron shows a utility process: it talks through parentPort, its
 * `exit` carries a number (the raw wait status for a signal), and the reason comes apart, later.
 */
function utilityLike(router: ChildGoneRouter): WorkerSpawner {
  return (entry, { env, serviceName }) => {
    const real = fork(entry.path, [], { execArgv: [...entry.execArgv, '--import', SHIM], env, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    const child = new HandDriven();
    real.on('spawn', () => {
      child.pid = real.pid;
      child.emit('spawn');
    });
    real.on('message', (reply: WorkerReply) => child.emit('message', reply));
    child.postMessage = (message) => void real.send(message as never, (error) => void error);
    real.on('close', (code, signal) => {
      const waitStatus = signal ? status(signal) : (code ?? 0) << 8;
      const reason = signal && CRASH_SIGNALS.has(signal) ? 'crashed' : signal && KILL_SIGNALS.has(signal) ? 'killed' : code ? 'abnormal-exit' : null;
      child.pid = undefined;
      child.emit('exit', signal ? waitStatus : code);
      if (reason) setTimeout(() => router.report({ type: 'Utility', name: serviceName, reason, exitCode: waitStatus }), 10);
    });
    return utilityWorkerProcess(child satisfies UtilityChild, serviceName, router);
  };
}

const failureOf = (promise: Promise<unknown>) =>
  promise.then(
    () => null,
    (error: { code: string; message: string; retryable?: boolean }) => error,
  );

describe('the image pool through a worker spawner', () => {
  it('starts its workers through the spawner it is given, each with its own name and the pool environment', async () => {
    const started: { serviceName: string; env: NodeJS.ProcessEnv }[] = [];
    const counting: WorkerSpawner = (entry, options) => {
      started.push(options);
      return forkWorker(entry, options);
    };
    const pool = newPool({ size: 2, spawn: counting, env: { QUIRE_TEST_MARK: 'yes' } });
    const sets = await Promise.all([pool.prepare(request(file.photo)), pool.prepare(request(file.logo)), pool.prepare(request(file.photo, 60))]);
    expect(sets.map((set) => set.outputs.length > 0 && !set.cacheHit)).toEqual([true, true, true]);
    // Unique in the process, across pools (Electron names a utility process's end by it).
    expect(started).toHaveLength(2);
    expect(started.every((s) => /^Quire image worker \d+$/.test(s.serviceName))).toBe(true);
    expect(new Set(started.map((s) => s.serviceName)).size).toBe(2);
    expect(started[0]!.env).toMatchObject({ MALLOC_ARENA_MAX: '2', QUIRE_SHARP_BUILD: 'native', QUIRE_TEST_MARK: 'yes' });
    expect(pool.info().workers).toHaveLength(2);
  });

  it('prepares images in a worker that talks through parentPort, ends one aborted mid-image, and lets an idle one close', async () => {
    const pool = newPool({ size: 1, idleMs: 300, spawn: utilityLike(new ChildGoneRouter()) });
    const first = await pool.prepare(request(file.logo));
    expect(first.outputs.map((o) => o.variant)).toEqual(['480', '768', '1024', 'thumb']);
    expect(pool.info().build).toBe('native');

    const abort = new AbortController();
    const big = request(file.big);
    const aborted = pool.prepare(big, abort.signal);
    const next = pool.prepare(request(file.photo));
    const pid = await waitFor('the worker to take the big photo', () => pool.info().workers.find((w) => w.busyWith === big.label)?.pid, 20_000, 5);
    abort.abort(new DOMException('cancelled', 'AbortError'));
    await expect(aborted).rejects.toThrow('cancelled');
    expect((await next).cacheHit).toBe(false);
    await waitFor('the aborted worker to be gone', () => !isAlive(pid), 10_000);
    expect(pool.stats()).toMatchObject({ crashes: 0, failed: 0, encoded: 2 });

    // Idle: told to close (a utility process has no channel to disconnect), it exits by itself.
    const idle = pool.info().workers[0]!.pid;
    await waitFor('the idle worker to exit', () => !isAlive(idle) && pool.info().workers.length === 0, 10_000);
  });

  it('runs sharp\'s WebAssembly build behind parentPort, as the desktop app on Linux does', async () => {
    const pool = newPool({ size: 1, build: 'wasm', spawn: utilityLike(new ChildGoneRouter()) });
    const set = await pool.prepare(request(file.photo));
    expect(set.outputs.map((o) => `${o.variant}:${o.width}x${o.height}`)).toEqual(['480:480x320', '768:768x512', '1024:1024x683', '1920:1200x800', 'thumb:200x133']);
    expect(pool.info().build).toBe('wasm');
  });

  it("fails only the image whose worker crashed, as Electron reports a crash, and goes on; a kill from outside is retryable", async () => {
    const pool = newPool({ size: 1, spawn: utilityLike(new ChildGoneRouter()) });
    await pool.prepare(request(file.logo));
    const big = request(file.big, 61);
    const crashed = pool.prepare(big);
    const next = pool.prepare(request(file.photo, 61));
    const pid = await waitFor('the worker to take the big photo', () => pool.info().workers.find((w) => w.busyWith === big.label)?.pid, 20_000, 5);
    process.kill(pid, 'SIGSEGV');
    const crash = await failureOf(crashed);
    expect(crash).toMatchObject({ code: 'image_invalid', message: expect.stringMatching(/crashed on books\/big-photo\.jpg .*SIGSEGV.*Upload as is/) });
    expect((await next).cacheHit).toBe(false);
    expect(pool.stats()).toMatchObject({ crashes: 1, failed: 1 });

    const again = request(file.big, 62);
    const killed = pool.prepare(again);
    const second = await waitFor('a new worker to take it', () => pool.info().workers.find((w) => w.busyWith === again.label)?.pid, 20_000, 5);
    expect(second).not.toBe(pid);
    process.kill(second, 'SIGKILL');
    expect(await failureOf(killed)).toMatchObject({ code: 'internal', retryable: true, message: expect.stringMatching(/was stopped .*SIGKILL.*Retry it/) });
    expect(pool.stats().crashes).toBe(1);
  });
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
