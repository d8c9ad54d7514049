import { ImagePool } from '../src/main/core/images/imagePool';
import { builtImageWorker } from '../src/main/core/images/workerEntry';
import type { ImagePoolStats, PreparedSet, PrepareRequest } from '../src/main/core/images/imageJob';
import { MAX_IMAGE_PIXELS, imagePresets } from '../src/shared/images';
import { cpuSecondsOf, memoryOf } from './processProbe';

/**
 * One pass of Quire's image pool over the bench's photos, in a process of its own (bench/images.ts
 * runs it under GNU time): what the engine does when an author drops the photos, and nothing else.
 * The job comes as JSON in BENCH_IMAGES_JOB; the result goes to stdout as one JSON line.
 *
 * Every photo is handed to the pool at once (the engine queues a batch the same way); the pool
 * decides how many run together. The clock runs from the first prepare() to the last result. The
 * pool's own start is timed apart, since an app pays it once a session (workers stay for a minute
 * after their last image): its workers start on demand, so the pool is first given one tiny image
 * per worker (`warmup`), which starts them all and loads sharp in each.
 * The pool's worker processes (their PIDs from `pool.info()`) are sampled in /proc every SAMPLE_MS:
 * their CPU (utime+stime) from the first prepare() to the last result, and their VmHWM (the
 * kernel's high-water mark, so a sample after the work has ended holds the true peak). Not every
 * child of this process is a worker: tsx runs an esbuild service process too.
 *
 * The workers run the built worker (out/main/imageWorker.js, what `quire` and the app ship) when
 * `workerDir` is given, else the source through tsx's loader (the pool's default from source),
 * which costs each worker some 50 MB more and a slower start.
 */
export interface PoolJob {
  cacheDir: string;
  build: 'native' | 'wasm';
  photos: string[];
  /** Tiny images, at least as many as the pool has workers, prepared before the clock starts. */
  warmup: string[];
  /** Pool size; omitted: the pool's default. */
  size?: number;
  /** The folder of the built worker (out/main); omitted: the worker's source, through tsx. */
  workerDir?: string;
}

export interface PoolWorkerFigures {
  pid: number;
  peakRssBytes: number;
  /** Resident memory when the clock started (started, sharp loaded, a tiny image made): what it holds before any photo. */
  restingRssBytes: number;
  /** CPU seconds used from the first prepare() to the last result (all of it, for a worker started later). */
  cpuSeconds: number;
}

export interface PoolRunResult {
  /** From creating the pool to its workers having prepared the warm-up images (started, sharp loaded). */
  startSeconds: number;
  size: number;
  /** The sharp build the workers reported loading. */
  build: string | null;
  /** From the first prepare() to the last result. */
  wallSeconds: number;
  /** This process's CPU over the same stretch (the engine's side: requests, messages, hashing if done here). */
  mainCpuSeconds: number;
  mainPeakRssBytes: number;
  workers: PoolWorkerFigures[];
  /** The pool's counters for the photos alone (the warm-up's taken off). */
  stats: ImagePoolStats;
  sets: (PreparedSet | { failed: string; photo: string })[];
}

const SAMPLE_MS = 100;

async function main(): Promise<void> {
  const job = JSON.parse(process.env.BENCH_IMAGES_JOB ?? '') as PoolJob;
  const request = (photo: string): PrepareRequest => ({
    sourcePath: photo,
    label: photo.slice(photo.lastIndexOf('/') + 1),
    preset: imagePresets.web,
    format: 'webp',
    quality: 85,
    keepMetadata: false,
    maxPixels: MAX_IMAGE_PIXELS,
  });
  const startedAt = performance.now();
  const pool = new ImagePool({ cacheDir: job.cacheDir, build: job.build, ...(job.size ? { size: job.size } : {}), ...(job.workerDir ? { worker: builtImageWorker(job.workerDir) } : {}) });
  if (job.warmup.length < pool.size) throw new Error(`${job.warmup.length} warm-up image(s) for a pool of ${pool.size}`);
  await Promise.all(job.warmup.slice(0, pool.size).map((photo) => pool.prepare(request(photo))));
  const startSeconds = (performance.now() - startedAt) / 1000;
  const before = pool.stats();

  // CPU seconds each process had when the clock started: a worker already running then has its
  // start-up left out; one started later counts whole.
  const baseline = new Map<number, number>();
  const seen = new Map<number, { cpu: number; peak: number; resting: number }>();
  let timing = false;
  const sample = () => {
    for (const { pid } of pool.info().workers) {
      try {
        const cpu = cpuSecondsOf(pid);
        const { rssBytes, peakRssBytes } = memoryOf(pid);
        if (!baseline.has(pid)) baseline.set(pid, timing ? 0 : cpu);
        seen.set(pid, { cpu, peak: Math.max(peakRssBytes, seen.get(pid)?.peak ?? 0), resting: seen.get(pid)?.resting ?? (timing ? NaN : rssBytes) });
      } catch {
        // Gone between the listing and the read: its last sample stands.
      }
    }
  };
  sample();
  timing = true;
  const timer = setInterval(sample, SAMPLE_MS);

  const mainCpuBefore = process.cpuUsage();
  const t0 = performance.now();
  const sets = await Promise.all(job.photos.map((photo) => pool.prepare(request(photo)).catch((error: Error) => ({ failed: error.message, photo }))));
  const wallSeconds = (performance.now() - t0) / 1000;
  const mainCpu = process.cpuUsage(mainCpuBefore);
  clearInterval(timer);
  // After the work, before the workers stop: every worker's CPU and high-water mark are final.
  sample();
  const after = pool.stats();
  const stats = { encoded: after.encoded - before.encoded, cacheHits: after.cacheHits - before.cacheHits, failed: after.failed - before.failed, crashes: after.crashes - before.crashes };
  const build = pool.info().build;
  await pool.stop();

  const result: PoolRunResult = {
    startSeconds,
    size: pool.size,
    build,
    wallSeconds,
    mainCpuSeconds: (mainCpu.user + mainCpu.system) / 1e6,
    mainPeakRssBytes: memoryOf(process.pid).peakRssBytes,
    workers: [...seen].map(([pid, { cpu, peak, resting }]) => ({ pid, peakRssBytes: peak, restingRssBytes: resting, cpuSeconds: cpu - (baseline.get(pid) ?? 0) })),
    stats,
    sets,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`imagesPoolRun: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
