import { availableParallelism } from 'node:os';
import { printable } from '../../../shared/printable';
import { QuireError } from '../errors';
import type { EncoderVersions } from './imageCache';
import type { ImagePoolStats, PreparedSet, PrepareRequest } from './imageJob';
import type { SharpBuild, WorkerJob, WorkerReply } from './imageWorker';
import { resolveImageWorker, type ImageWorkerEntry } from './workerEntry';
import { forkWorker, type WorkerProcess, type WorkerSpawner } from './workerProcess';

/**
 * Images are prepared in a few child processes, never in the engine's process:
 * - sharp does its work on libuv's thread pool (4 threads), which the engine's file reads (every
 *   upload part) share: encoding a photo set in-process would stall uploads. A separate process
 *   keeps decoding and encoding off the engine's thread pool and event loop;
 * - memory is bounded by the pool's size (one image per worker, about 300 MB at most for a 24 MP
 *   photo), and an idle worker exits, returning it to the system;
 * - a decoder crash on a hostile or damaged file kills only that worker: that one image fails,
 *   a new worker takes the next, and the upload queue never notices.
 * - on Linux the desktop host runs the workers with sharp's WebAssembly build (see imageWorker.ts).
 * How a worker process is started is a port (workerProcess.ts): a Node child by default, an
 * Electron utility process in the desktop app.
 */

export interface ImagePoolOptions {
  /** Where prepared sets are kept (see imageCache.ts). */
  cacheDir: string;
  /** Images prepared at once; by default one per core, 1 to 4. */
  size?: number;
  /** The worker script; by default resolved for the code running now (see workerEntry.ts). */
  worker?: ImageWorkerEntry;
  /** sharp's build in the workers: native (CLI, quire serve, macOS, Windows) or wasm (Electron on Linux). */
  build?: SharpBuild;
  /** Added to the workers' environment. */
  env?: NodeJS.ProcessEnv;
  /** An idle worker exits after this long (memory back to the system); 60 s by default. */
  idleMs?: number;
  /** How a worker process is started: child_process.fork by default; Electron's utilityProcess in the desktop app. */
  spawn?: WorkerSpawner;
}

/** What the workers are, for tests and the bench. */
export interface ImagePoolInfo {
  /** The build the workers really loaded (null before the first has started). */
  build: SharpBuild | null;
  versions: EncoderVersions | null;
  /** The largest peak resident memory a worker reported, in bytes. */
  peakWorkerRssBytes: number;
  workers: { pid: number; busyWith: string | null }[];
}

interface Job {
  id: number;
  request: PrepareRequest;
  resolve: (set: PreparedSet) => void;
  reject: (error: unknown) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

interface Worker {
  process: WorkerProcess;
  job: Job | null;
  ready: boolean;
  /** Set when the pool ends this worker itself: its exit is then no crash. */
  ending: 'idle' | 'abort' | 'stop' | null;
  idleTimer: NodeJS.Timeout | null;
  closed: Promise<void>;
}

const DEFAULT_IDLE_MS = 60_000;

/**
 * Workers started by every pool of this process: each one's service name is unique, since
 * Electron reports a utility process's end by that name (workerProcess.ts routes it), and a
 * pool made again (the prepare stage restarted) must not reuse an earlier pool's names.
 */
let workersSpawned = 0;

/** How a process dies when its own code breaks (a decoder on a hostile file); any other end is not the file's fault. */
const DECODER_CRASHES: ReadonlySet<NodeJS.Signals> = new Set(['SIGSEGV', 'SIGBUS', 'SIGABRT', 'SIGILL', 'SIGFPE']);

export class ImagePool {
  readonly size: number;
  private readonly options: ImagePoolOptions;
  private readonly build: SharpBuild;
  private workerEntry: ImageWorkerEntry | null;
  private readonly workers = new Set<Worker>();
  private readonly queue: Job[] = [];
  private nextId = 0;
  private readonly counters: ImagePoolStats = { encoded: 0, cacheHits: 0, failed: 0, crashes: 0 };
  private readonly facts: Omit<ImagePoolInfo, 'workers'> = { build: null, versions: null, peakWorkerRssBytes: 0 };

  constructor(options: ImagePoolOptions) {
    this.options = options;
    this.size = Math.max(1, Math.floor(options.size ?? Math.max(1, Math.min(4, availableParallelism()))));
    const asked = options.build ?? options.env?.QUIRE_SHARP_BUILD ?? process.env.QUIRE_SHARP_BUILD;
    this.build = asked === 'wasm' ? 'wasm' : 'native';
    this.workerEntry = options.worker ?? null;
  }

  /** Prepares one image (from the cache when it can). Aborting removes it from the queue, or ends the worker making it. */
  prepare(request: PrepareRequest, signal?: AbortSignal): Promise<PreparedSet> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<PreparedSet>((resolve, reject) => {
      const job: Job = { id: ++this.nextId, request, resolve, reject, signal };
      if (signal) {
        job.onAbort = () => this.abort(job);
        signal.addEventListener('abort', job.onAbort, { once: true });
      }
      this.queue.push(job);
      this.pump();
    });
  }

  stats(): ImagePoolStats {
    return { ...this.counters };
  }

  info(): ImagePoolInfo {
    return { ...this.facts, workers: [...this.workers].map((w) => ({ pid: w.process.pid ?? 0, busyWith: w.job?.request.label ?? null })) };
  }

  /**
   * Ends every worker (by PID) and rejects the work queued or under way with an AbortError: the
   * engine is stopping, so those images go back to the queue rather than fail. The pool starts
   * workers again when next asked.
   */
  async stop(): Promise<void> {
    const reason = new DOMException('The image pool stopped', 'AbortError');
    for (const job of this.queue.splice(0)) this.settle(job, () => job.reject(reason));
    const closing: Promise<void>[] = [];
    for (const worker of this.workers) {
      const job = worker.job;
      worker.job = null;
      if (job) this.settle(job, () => job.reject(reason));
      this.end(worker, 'stop');
      closing.push(worker.closed);
    }
    await Promise.all(closing);
  }

  private pump(): void {
    while (this.queue.length > 0) {
      let worker = [...this.workers].find((w) => !w.job && !w.ending);
      if (!worker) {
        if (this.liveWorkers() >= this.size) return;
        try {
          worker = this.spawn();
        } catch (error) {
          // No worker can start (the script is missing): every queued image fails with why.
          for (const job of this.queue.splice(0)) this.fail(job, error);
          return;
        }
      }
      this.assign(worker, this.queue.shift()!);
    }
  }

  private liveWorkers(): number {
    return [...this.workers].filter((w) => !w.ending).length;
  }

  private spawn(): Worker {
    this.workerEntry ??= resolveImageWorker();
    const spawner = this.options.spawn ?? forkWorker;
    const child = spawner(this.workerEntry, {
      // Two malloc arenas, not one per thread: a worker's peak over twenty 24 MP photos drops from
      // about 220 MB to 170 MB at the same CPU (bench, images section); the author's own setting wins.
      env: { MALLOC_ARENA_MAX: '2', ...process.env, ...this.options.env, QUIRE_SHARP_BUILD: this.build },
      serviceName: `Quire image worker ${++workersSpawned}`,
    });
    let closed!: () => void;
    const worker: Worker = { process: child, job: null, ready: false, ending: null, idleTimer: null, closed: new Promise((resolve) => (closed = resolve)) };
    this.workers.add(worker);
    child.onMessage((reply) => this.onReply(worker, reply));
    child.onExit((code, signal, spawnError) => {
      this.onClosed(worker, code, signal, spawnError);
      closed();
    });
    return worker;
  }

  private assign(worker: Worker, job: Job): void {
    if (worker.idleTimer) clearTimeout(worker.idleTimer);
    worker.idleTimer = null;
    worker.job = job;
    // While it works, the worker keeps the host alive; idle, it lets a CLI exit.
    worker.process.holdHost(true);
    const message: WorkerJob = { kind: 'job', id: job.id, cacheDir: this.options.cacheDir, request: job.request };
    // A failed send means the worker is gone: its exit fails the job.
    worker.process.send(message);
  }

  private onReply(worker: Worker, reply: WorkerReply): void {
    if (reply.kind === 'ready') {
      worker.ready = true;
      this.facts.build = reply.build;
      this.facts.versions = reply.versions;
      return;
    }
    this.facts.peakWorkerRssBytes = Math.max(this.facts.peakWorkerRssBytes, reply.peakRssBytes);
    const job = worker.job;
    if (!job || job.id !== reply.id) return; // an answer to a job already aborted
    worker.job = null;
    if (reply.ok) {
      if (reply.set.cacheHit) this.counters.cacheHits += 1;
      else this.counters.encoded += 1;
      this.settle(job, () => job.resolve(reply.set));
    } else {
      this.fail(job, new QuireError(reply.error.code, reply.error.message, { retryable: reply.error.retryable }));
    }
    this.idle(worker);
    this.pump();
  }

  private idle(worker: Worker): void {
    worker.process.holdHost(false);
    worker.idleTimer = setTimeout(() => {
      if (!worker.job) this.end(worker, 'idle');
    }, this.options.idleMs ?? DEFAULT_IDLE_MS);
    worker.idleTimer.unref();
  }

  private onClosed(worker: Worker, code: number | null, signal: NodeJS.Signals | null, spawnError?: Error): void {
    if (!this.workers.delete(worker)) return;
    if (worker.idleTimer) clearTimeout(worker.idleTimer);
    const job = worker.job;
    worker.job = null;
    if (job && !worker.ending) {
      const how = signal ? `signal ${signal}` : `exit code ${code}`;
      if (!worker.ready) {
        // It died loading sharp, before any image: no image is to blame.
        const why = spawnError ? spawnError.message : how;
        this.fail(job, new QuireError('internal', `Quire's image worker could not start (${why}), so ${printable(job.request.label)} was not prepared. Retry it, or upload it as it is (quire resume --as-is ID).`, { retryable: true }));
      } else if (signal && DECODER_CRASHES.has(signal)) {
        this.counters.crashes += 1;
        this.fail(
          job,
          new QuireError(
            'image_invalid',
            `The image decoder crashed on ${printable(job.request.label)} (${how}): the file is probably damaged or not really an image. Nothing else was affected. To upload the file as it is, choose 'Upload as is' in the queue (quire resume --as-is ID).`,
          ),
        );
      } else {
        // Killed from outside (the system short of memory, someone's kill): the file is not to blame.
        this.fail(job, new QuireError('internal', `The image worker making ${printable(job.request.label)} was stopped (${how}), perhaps for lack of memory. Retry it, or upload it as it is (quire resume --as-is ID).`, { retryable: true }));
      }
    }
    this.pump();
  }

  /** Ends a worker; its exit then removes it. */
  private end(worker: Worker, why: 'idle' | 'abort' | 'stop'): void {
    if (worker.ending && (why === 'idle' || worker.ending !== 'idle')) return;
    worker.ending = why;
    if (worker.idleTimer) clearTimeout(worker.idleTimer);
    if (why === 'idle') {
      // Nothing is under way to interrupt: it is asked to exit by itself.
      worker.process.close();
      return;
    }
    // Held until it has exited, so a stop() awaited as a process's last work is not cut short.
    worker.process.holdHost(true);
    worker.process.kill();
  }

  private abort(job: Job): void {
    const queued = this.queue.indexOf(job);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
    } else {
      const worker = [...this.workers].find((w) => w.job === job);
      if (!worker) return;
      // libvips cannot be interrupted mid-image: the worker is ended and a new one takes the next image.
      worker.job = null;
      this.end(worker, 'abort');
    }
    this.settle(job, () => job.reject(job.signal?.reason));
    this.pump();
  }

  private fail(job: Job, error: unknown): void {
    this.counters.failed += 1;
    this.settle(job, () => job.reject(error));
  }

  private settle(job: Job, outcome: () => void): void {
    if (job.onAbort) job.signal?.removeEventListener('abort', job.onAbort);
    outcome();
  }
}
