import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import sharp from 'sharp';
import type { PreparedSet } from '../src/main/core/images/imageJob';
import { planVariants } from '../src/main/core/images/variantPlan';
import { imagePresets } from '../src/shared/images';
import type { BenchConfig } from './config';
import { warmPageCache } from './fixtures';
import { ensurePhotos, type Photo } from './imagesFixtures';
import type { PoolJob, PoolRunResult } from './imagesPoolRun';
import { runVipsthumbnail, vipsVersion, type PlannedVariant } from './imagesVips';
import { measure } from './measure';
import { baseEnv } from './tools';

/** Who prepares the photos: Quire's pool cold (native build), warm (same cache, a new pool), with the wasm build, and vipsthumbnail. */
export type ImagesRunner = 'quire' | 'quire-warm' | 'quire-wasm' | 'vips';

/** tsx's loader as an absolute URL, so the pool's process starts whatever the current directory. */
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** The web preset at the specs' quality, as Quire's settings have it by default. */
export const IMAGES_QUALITY = 85;

export interface ImagesRun {
  runner: ImagesRunner;
  rep: number;
  /** The images' stretch: Quire from the first prepare() to the last result; vipsthumbnail from the first process to the last. */
  wallSeconds: number;
  /** CPU over that stretch: Quire's workers and its main process; vipsthumbnail's processes, each whole. */
  cpuSeconds: number;
  /** Quire only: the whole driver process tree under GNU time (node and tsx start, the pool's start, the images). */
  totalCpuSeconds: number;
  /** Quire only: creating the pool until its workers had started (each prepared a tiny warm-up image). */
  startSeconds: number;
  /** Peak RSS of the one process that used most. */
  maxRssBytes: number;
  /** Quire: the workers' peaks added up (each its own VmHWM; they need not have peaked together). vipsthumbnail: streams × the largest process. */
  allRssBytes: number;
  /** Quire: worker processes seen; vipsthumbnail: processes run. */
  processes: number;
  /** Quire: the pool's size; vipsthumbnail: its streams. */
  parallel: number;
  originalBytes: number;
  variantBytes: number;
  outputs: number;
  /** Quire only: the pool's counters for the photos (the warm-up left out). */
  stats: { encoded: number; cacheHits: number; failed: number; crashes: number } | null;
  /** Outputs that still carry EXIF or XMP (the photos' camera and GPS tags): a failure for Quire; vipsthumbnail's WebP keeps them (see checkOutputs). */
  withMetadata: number;
  /** Quire only: the workers' resident memory before the first photo (node, sharp loaded), the largest. */
  restingRssBytes: number;
  /** Quire only: the sharp build its workers loaded. */
  build: string | null;
  failure: string | null;
}

export interface ImagesResult {
  photos: Photo[];
  width: number;
  height: number;
  plan: PlannedVariant[];
  streams: number;
  reps: number;
  worker: 'built' | 'source';
  runs: ImagesRun[];
  versions: { vips: string; sharp: string };
}

/**
 * The images section (issue 13): the bench's generated photos prepared with the web preset
 * - by Quire's image pool, native build, its default size, a fresh empty cache each repetition
 *   (so every photo is encoded), in a process of its own (bench/imagesPoolRun.ts);
 * - by vipsthumbnail, the same variants from the same originals, one photo per core
 *   (bench/imagesVips.ts), in a rotating order with Quire;
 * - then by a new Quire pool on the last repetition's cache (a restart): nothing may be encoded;
 * - then by Quire's pool with sharp's wasm build (what the desktop app uses on Linux), figures only.
 * Every output is read back: WebP at the planned size; Quire's must have no EXIF or XMP left (no GPS, no camera).
 */
export async function measureImages(config: BenchConfig, stateRoot: string, log: (message: string) => void): Promise<ImagesResult> {
  const c = config.images;
  const photos = await ensurePhotos(join(config.workDir, 'data'), c.count, c.width, c.height, log);
  const plan = planVariants(imagePresets.web, c.width, c.height).map(({ variant, width, height }) => ({ variant, width, height }));
  const originalBytes = photos.reduce((sum, photo) => sum + photo.bytes, 0);
  const paths = photos.map((photo) => photo.path);
  const root = join(stateRoot, 'images');
  await mkdir(root, { recursive: true });
  // One tiny photo per worker (a pool has at most 4), prepared before Quire's clock starts: it starts the workers.
  const warmup = await Promise.all(
    [1, 2, 3, 4].map(async (i) => {
      const path = join(root, `warmup-${i}.jpg`);
      await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 40 * i, g: 90, b: 160 } } }).jpeg().toFile(path);
      return path;
    }),
  );
  log(`images: ${photos.length} photos of ${c.width}×${c.height} (${(originalBytes / 1e6).toFixed(0)} MB); web preset: ${plan.map((v) => `${v.variant} ${v.width}×${v.height}`).join(', ')}, WebP q${IMAGES_QUALITY}`);

  // The worker Quire ships (bench/run.sh builds out/ when the sources are newer), unless asked for the source.
  const workerDir = c.worker === 'built' ? join(config.repoRoot, 'out', 'main') : null;
  if (workerDir && !existsSync(join(workerDir, 'imageWorker.js'))) throw new Error(`${join(workerDir, 'imageWorker.js')} is missing: build first (npx --no-install electron-vite build), or set BENCH_IMAGES_WORKER=source`);
  const runs: ImagesRun[] = [];
  const record = (run: ImagesRun) => {
    runs.push(run);
    log(describeRun(run, photos.length));
  };
  const quire = async (runner: ImagesRunner, rep: number, cacheDir: string, build: 'native' | 'wasm'): Promise<ImagesRun> => {
    await warmPageCache(paths);
    const { run, sets } = await runPool({ cacheDir, build, photos: paths, warmup, ...(workerDir ? { workerDir } : {}) }, runner, rep);
    if (run.failure === null && run.build !== build) run.failure = `asked for sharp's ${build} build, the workers loaded ${run.build ?? 'nothing'}`;
    if (run.failure === null) run.failure = await checkQuire(run, sets, plan, photos.length, runner === 'quire-warm' ? 0 : photos.length);
    return run;
  };
  const runPool = async (job: PoolJob, runner: ImagesRunner, rep: number): Promise<{ run: ImagesRun; sets: PoolRunResult['sets'] }> => {
    const run = emptyRun(runner, rep, originalBytes);
    const m = await measure(
      { command: join(config.repoRoot, 'node_modules', 'node', 'bin', 'node'), args: ['--import', TSX, join(config.repoRoot, 'bench', 'imagesPoolRun.ts')], env: { ...baseEnv(), BENCH_IMAGES_JOB: JSON.stringify(job) } },
      config.timeoutMs,
    );
    if (m.failure) return { run: { ...run, failure: `${m.failure}${m.stderr.trim() ? ` — ${m.stderr.trim().split('\n').slice(-3).join(' / ')}` : ''}` }, sets: [] };
    let result: PoolRunResult;
    try {
      result = JSON.parse(m.stdout.trim().split('\n').at(-1) ?? '') as PoolRunResult;
    } catch {
      return { run: { ...run, failure: `its output is not the expected JSON: ${m.stdout.slice(0, 200)}` }, sets: [] };
    }
    const workers = result.workers.length > 0 ? result.workers : [{ pid: 0, peakRssBytes: result.mainPeakRssBytes, restingRssBytes: NaN, cpuSeconds: 0 }];
    const done = result.sets.filter((set): set is PreparedSet => !('failed' in set));
    const figures: ImagesRun = {
      ...run,
      build: result.build,
      wallSeconds: result.wallSeconds,
      cpuSeconds: result.mainCpuSeconds + result.workers.reduce((sum, w) => sum + w.cpuSeconds, 0),
      totalCpuSeconds: m.cpuSeconds,
      startSeconds: result.startSeconds,
      maxRssBytes: Math.max(...workers.map((w) => w.peakRssBytes)),
      allRssBytes: workers.reduce((sum, w) => sum + w.peakRssBytes, 0),
      restingRssBytes: Math.max(...workers.map((w) => w.restingRssBytes)),
      processes: result.workers.length,
      parallel: result.size,
      variantBytes: done.reduce((sum, set) => sum + set.outputs.reduce((s, o) => s + o.size, 0), 0),
      outputs: done.reduce((sum, set) => sum + set.outputs.length, 0),
      stats: result.stats,
    };
    return { run: figures, sets: result.sets };
  };
  const vips = async (rep: number): Promise<ImagesRun> => {
    await warmPageCache(paths);
    const outDir = join(root, `vips-${rep}`);
    const v = await runVipsthumbnail(paths, () => plan, outDir, c.streams, IMAGES_QUALITY, config.timeoutMs);
    const run: ImagesRun = {
      ...emptyRun('vips', rep, originalBytes),
      wallSeconds: v.wallSeconds,
      cpuSeconds: v.cpuSeconds,
      maxRssBytes: v.maxRssBytes,
      allRssBytes: Math.min(c.streams, photos.length) * v.maxRssBytes,
      processes: v.processes,
      parallel: Math.min(c.streams, photos.length),
      variantBytes: v.outputs.reduce((sum, o) => sum + o.size, 0),
      outputs: v.outputs.length,
      failure: v.failure,
    };
    if (run.failure === null) {
      const checked = await checkOutputs(v.outputs.map((o) => ({ path: o.path, variant: o.variant, label: o.photo })), plan);
      run.withMetadata = checked.withMetadata;
      run.failure = checked.failure ?? countCheck(run.outputs, plan.length * photos.length);
    }
    await rm(outDir, { recursive: true, force: true });
    return run;
  };

  let warmCache: string | null = null;
  for (let rep = 1; rep <= c.reps; rep += 1) {
    // A different one first each repetition, so drift on a shared machine favours neither.
    const order = rep % 2 === 1 ? (['quire', 'vips'] as const) : (['vips', 'quire'] as const);
    for (const runner of order) {
      if (runner === 'vips') record(await vips(rep));
      else {
        const cacheDir = join(root, `cache-native-${rep}`);
        record(await quire('quire', rep, cacheDir, 'native'));
        if (warmCache) await rm(warmCache, { recursive: true, force: true });
        warmCache = cacheDir;
      }
    }
  }
  // A restart: a new pool (a new process) on the last cold pass's cache.
  if (warmCache) {
    record(await quire('quire-warm', 1, warmCache, 'native'));
    await rm(warmCache, { recursive: true, force: true });
  }
  if (c.wasm) {
    const cacheDir = join(root, 'cache-wasm');
    record(await quire('quire-wasm', 1, cacheDir, 'wasm'));
    await rm(cacheDir, { recursive: true, force: true });
  }
  await rm(root, { recursive: true, force: true });
  return {
    photos,
    width: c.width,
    height: c.height,
    plan,
    streams: c.streams,
    reps: c.reps,
    worker: c.worker,
    runs,
    versions: { vips: await vipsVersion(), sharp: sharpVersion() },
  };
}

function emptyRun(runner: ImagesRunner, rep: number, originalBytes: number): ImagesRun {
  return {
    runner,
    rep,
    wallSeconds: NaN,
    cpuSeconds: NaN,
    totalCpuSeconds: NaN,
    startSeconds: NaN,
    maxRssBytes: NaN,
    allRssBytes: NaN,
    processes: 0,
    parallel: 0,
    originalBytes,
    variantBytes: NaN,
    outputs: 0,
    stats: null,
    withMetadata: 0,
    restingRssBytes: NaN,
    build: null,
    failure: null,
  };
}

/** A pass of Quire's pool: every photo made its whole set, the pool encoded what it should (all cold, none warm), every output as planned. */
async function checkQuire(run: ImagesRun, sets: PoolRunResult['sets'], plan: PlannedVariant[], photos: number, encodes: number): Promise<string | null> {
  const failed = sets.filter((set): set is { failed: string; photo: string } => 'failed' in set);
  if (failed.length > 0) return `${failed.length} photo(s) failed, first: ${failed[0]!.photo}: ${failed[0]!.failed}`;
  if (run.stats && run.stats.encoded !== encodes) return `the pool encoded ${run.stats.encoded} photo(s), expected ${encodes} (cache hits ${run.stats.cacheHits})`;
  const done = sets as PreparedSet[];
  for (const set of done) {
    const names = set.outputs.map((o) => o.variant).join(',');
    if (names !== plan.map((v) => v.variant).join(',')) return `a set holds ${names}, the plan says ${plan.map((v) => v.variant).join(',')}`;
  }
  const checked = await checkOutputs(done.flatMap((set) => set.outputs.map((o) => ({ path: o.path, variant: o.variant, label: `source ${set.sourceSha256.slice(0, 12)}` }))), plan);
  run.withMetadata = checked.withMetadata;
  if (checked.withMetadata > 0) return `${checked.withMetadata} output(s) kept EXIF or XMP (the photos carry GPS tags)`;
  return checked.failure ?? countCheck(run.outputs, plan.length * photos);
}

function countCheck(outputs: number, expected: number): string | null {
  return outputs === expected ? null : `${outputs} outputs, expected ${expected}`;
}

/**
 * Each output file, read back: WebP and the planned width×height (so auto-oriented: every photo
 * shows landscape). Outputs that still carry EXIF or XMP are counted, not failed here: Debian's
 * libvips 8.14 ignores `strip` when saving WebP (libvips/libvips#3340), so vipsthumbnail's
 * variants keep the photos' camera and GPS tags whatever it is told; Quire's caller fails on any.
 */
async function checkOutputs(outputs: { path: string; variant: string; label: string }[], plan: PlannedVariant[]): Promise<{ failure: string | null; withMetadata: number }> {
  let withMetadata = 0;
  for (const output of outputs) {
    const planned = plan.find((v) => v.variant === output.variant);
    const meta = await sharp(output.path).metadata();
    if (meta.format !== 'webp') return { failure: `${output.label} ${output.variant}: ${meta.format}, not WebP`, withMetadata };
    if (!planned || meta.width !== planned.width || meta.height !== planned.height) {
      return { failure: `${output.label} ${output.variant}: ${meta.width}×${meta.height}, planned ${planned ? `${planned.width}×${planned.height}` : 'nothing'}`, withMetadata };
    }
    if (meta.exif || meta.xmp) withMetadata += 1;
  }
  return { failure: null, withMetadata };
}

function sharpVersion(): string {
  const v = sharp.versions;
  return `sharp ${v.sharp ?? '?'}, libvips ${v.vips}`;
}

export function describeRun(run: ImagesRun, photos: number): string {
  const name = { quire: 'Quire pool (native)', 'quire-warm': 'Quire pool, warm cache', 'quire-wasm': 'Quire pool (wasm)', vips: 'vipsthumbnail' }[run.runner];
  if (run.failure) return `images: ${name} #${run.rep}: FAILED — ${run.failure}`;
  const saved = 1 - run.variantBytes / run.originalBytes;
  const stats = run.stats ? `, encoded ${run.stats.encoded}, cache hits ${run.stats.cacheHits}` : '';
  return (
    `images: ${name} #${run.rep}: ${run.wallSeconds.toFixed(2)} s, ${(photos / run.wallSeconds).toFixed(2)} images/s, CPU ${(run.cpuSeconds / photos).toFixed(2)} s/image, ` +
    `peak RSS ${(run.maxRssBytes / 1e6).toFixed(0)} MB (all ${(run.allRssBytes / 1e6).toFixed(0)} MB, ${run.processes} process(es)), ${(run.variantBytes / 1e6).toFixed(1)} MB of variants (${(100 * saved).toFixed(1)}% saved)${stats}`
  );
}
