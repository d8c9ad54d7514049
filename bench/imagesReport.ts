import type { ImagesResult, ImagesRun, ImagesRunner } from './images';
import { IMAGES_QUALITY } from './images';
import { median } from './report';

const MB = 1e6;
const COLUMNS: { runner: ImagesRunner; label: string }[] = [
  { runner: 'quire', label: 'Quire pool (native)' },
  { runner: 'vips', label: 'vipsthumbnail, one image per core' },
  { runner: 'quire-warm', label: 'Quire pool, warm cache (restart)' },
  { runner: 'quire-wasm', label: 'Quire pool (wasm build)' },
];

const fixed = (value: number, digits: number) => (Number.isFinite(value) ? value.toFixed(digits) : '—');

function ok(images: ImagesResult, runner: ImagesRunner): ImagesRun[] {
  return images.runs.filter((run) => run.runner === runner && run.failure === null);
}

function medianOf(images: ImagesResult, runner: ImagesRunner, pick: (run: ImagesRun) => number): number {
  return median(ok(images, runner).map(pick));
}

function imagesPerSecond(images: ImagesResult, runner: ImagesRunner): number {
  return medianOf(images, runner, (run) => images.photos.length / run.wallSeconds);
}

export function imagesLabel(images: ImagesResult): string {
  return `${images.photos.length} photos of ${images.width}×${images.height}`;
}

/** The issue's goal: Quire's pool at least as fast as vipsthumbnail run one image per core. */
export function imagesTargets(images: ImagesResult): string[] {
  const quire = imagesPerSecond(images, 'quire');
  const vips = imagesPerSecond(images, 'vips');
  const ratio = quire / vips;
  const failed = images.runs.filter((run) => run.failure !== null).length;
  const outcome = !Number.isFinite(ratio) ? 'not measured' : failed > 0 ? `**missed**: ${failed} run(s) failed their checks (see Failures)` : ratio >= 1 ? '**met**' : '**missed**';
  const warm = ok(images, 'quire-warm')[0];
  const cpu = (runner: ImagesRunner) => medianOf(images, runner, (run) => run.cpuSeconds / images.photos.length);
  return [
    `- goal: Quire >= vipsthumbnail one image per core (${imagesLabel(images)}, web preset): ${fixed(quire, 2)} vs ${fixed(vips, 2)} images/s, ${fixed(ratio, 2)}× — ${outcome}`,
    // On a shared machine images/s moves with whatever else runs; CPU per image much less.
    `  - steadier on a shared machine, CPU per image: Quire ${fixed(cpu('quire'), 2)} s, vipsthumbnail ${fixed(cpu('vips'), 2)} s (${fixed(cpu('vips') / cpu('quire'), 2)}× Quire's)`,
    `- images, a restart on a warm cache encodes nothing: ${warm?.stats ? `${warm.stats.encoded} new encode(s), ${warm.stats.cacheHits} cache hit(s)` : 'not measured'} — ${warm?.stats ? (warm.stats.encoded === 0 ? '**met**' : '**missed**') : 'not measured'}`,
  ];
}

export function imagesSection(images: ImagesResult): string[] {
  const columns = COLUMNS.filter((column) => images.runs.some((run) => run.runner === column.runner));
  const row = (label: string, value: (runner: ImagesRunner) => string) => `| ${label} | ${columns.map((column) => value(column.runner)).join(' | ')} |`;
  const metric = (pick: (run: ImagesRun) => number, digits: number) => (runner: ImagesRunner) => fixed(medianOf(images, runner, pick), digits);
  const quireOnly = (pick: (run: ImagesRun) => number, digits: number) => (runner: ImagesRunner) => (runner === 'vips' ? '—' : metric(pick, digits)(runner));
  const n = images.photos.length;
  const originals = images.photos.reduce((sum, photo) => sum + photo.bytes, 0);
  const plan = images.plan.map((v) => `${v.variant === 'thumb' ? 'thumb' : `"${v.variant}"`} ${v.width}×${v.height}`).join(', ');
  const reps = images.reps > 1 ? `medians of ${images.reps} repetitions in a rotating order` : 'once each';
  const lines = [
    `Images: ${imagesLabel(images)} (24 MP, ${fixed(originals / n / MB, 1)} MB each on average, ${fixed(originals / MB, 0)} MB in all; generated photo-like JPEGs at quality 92 with camera and GPS tags, ` +
      `every other one stored turned with EXIF orientation 6), prepared with the web preset: ${plan}, WebP at quality ${IMAGES_QUALITY}, metadata stripped. ` +
      `Quire: its image pool (bench/imagesPoolRun.ts: \`new ImagePool({ cacheDir, build })\`, default size, every photo handed to \`prepare()\` at once) on a fresh empty cache, so every photo is encoded; ` +
      `timed from the first \`prepare()\` to the last result; the pool's own start (its workers start on demand: one tiny warm-up image each starts them and loads sharp) is timed apart, since an app pays it once a session. ` +
      `CPU is its workers' (/proc/PID/stat) and its main process's over the timed stretch; peak RSS is each worker's VmHWM. ` +
      `vipsthumbnail: the same variants from the same originals, one process per variant (it makes one size per run; each gets the JPEG decoder's shrink-on-load for its size), ` +
      `${images.streams} photos at a time with VIPS_CONCURRENCY=1 (one image per core), each process under GNU time. ` +
      `Warm cache: a new pool (a new process: a restart) over the same photos and the last cold pass's cache. Wasm: the pool with sharp's wasm build (the desktop app's on Linux), once, figures only. ` +
      `Cold passes and vipsthumbnail ${reps}. Every output is read back: WebP, the planned size (so auto-oriented), and for Quire no EXIF or XMP.`,
    '',
    `| ${imagesLabel(images)} | ${columns.map((column) => column.label).join(' | ')} |`,
    `| --- |${columns.map(() => ' ---: ').join('|')}|`,
    row('images/s', (runner) => fixed(imagesPerSecond(images, runner), 2)),
    row('wall s', metric((run) => run.wallSeconds, 2)),
    row('CPU s per image (user+sys)', metric((run) => run.cpuSeconds / n, 2)),
    row('peak RSS, largest process (MB)', metric((run) => run.maxRssBytes / MB, 0)),
    row('peak RSS, all processes (MB)', metric((run) => run.allRssBytes / MB, 0)),
    row("workers' resident memory before the first photo (MB)", quireOnly((run) => run.restingRssBytes / MB, 0)),
    row('images at once (pool size; streams)', metric((run) => run.parallel, 0)),
    row('processes', metric((run) => run.processes, 0)),
    row('variants (MB)', metric((run) => run.variantBytes / MB, 1)),
    row('saved against the originals', metric((run) => 100 * (1 - run.variantBytes / run.originalBytes), 1)),
    row('outputs still carrying EXIF (camera, GPS)', (runner) => {
      const run = ok(images, runner)[0];
      return run ? `${run.withMetadata} of ${run.outputs}` : '—';
    }),
    row('new encodes / cache hits', (runner) => {
      const run = ok(images, runner)[0];
      return run?.stats ? `${run.stats.encoded} / ${run.stats.cacheHits}` : '—';
    }),
    row("pool start s (apart from the images' time)", quireOnly((run) => run.startSeconds, 2)),
    row('whole process CPU s (node, tsx, pool start, images)', quireOnly((run) => run.totalCpuSeconds, 2)),
    '',
    `"saved" is 1 − (all variants' bytes ÷ the originals' bytes), in %. "all processes": for Quire the workers' peaks added up (each worker's own high-water mark; ` +
      `they need not have peaked at the same moment, so this is an upper bound of what the pool held at once); for vipsthumbnail the largest process × ${images.streams} streams. ` +
      `Quire's main process (the engine's side) is not in these figures; CPU per image includes it. ` +
      `vipsthumbnail is told \`strip\`, but Debian's libvips 8.14 ignores it when saving WebP (libvips/libvips#3340): its variants keep the originals' EXIF, GPS position included, and an ICC profile ` +
      `(under 1 KB a file, in its byte counts); Quire's carry none.`,
    '',
    `- Quire's pool: ${images.versions.sharp} (native; the wasm build is @img/sharp-wasm32 of the same version); its workers run ${images.worker === 'built' ? 'the built worker, out/main/imageWorker.js (what quire and the app run)' : 'from source through tsx (BENCH_IMAGES_WORKER=source)'}.`,
    `- vipsthumbnail (${images.versions.vips}): \`VIPS_CONCURRENCY=1 vipsthumbnail PHOTO --size W×H -o OUT-VARIANT.webp[Q=${IMAGES_QUALITY},strip]\` per variant.`,
  ];
  return lines;
}

export function imagesFailures(images: ImagesResult): string[] {
  return images.runs.filter((run) => run.failure).map((run) => `- ${run.runner}, images, repetition ${run.rep}: ${run.failure}`);
}

export function imagesRawRuns(images: ImagesResult): string[] {
  const n = images.photos.length;
  const lines = ['', '| images | rep | wall s | images/s | CPU s | peak RSS MB (largest / all) | variants MB | encoded / hits | status |', '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |'];
  for (const run of images.runs) {
    lines.push(
      `| ${run.runner} | ${run.rep} | ${fixed(run.wallSeconds, 2)} | ${fixed(n / run.wallSeconds, 2)} | ${fixed(run.cpuSeconds, 2)} | ${fixed(run.maxRssBytes / MB, 0)} / ${fixed(run.allRssBytes / MB, 0)} | ` +
        `${fixed(run.variantBytes / MB, 1)} | ${run.stats ? `${run.stats.encoded} / ${run.stats.cacheHits}` : ''} | ${run.failure ? 'failed' : 'ok'} |`,
    );
  }
  return lines;
}
