import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { runChild, lastLine } from './measure';
import { baseEnv } from './tools';

export const VIPSTHUMBNAIL_BIN = 'vipsthumbnail';

/** One output of one photo, as the plan says it must be. */
export interface PlannedVariant {
  /** "480" ... "1920", "thumb": the name's suffix, as Quire names its variants. */
  variant: string;
  width: number;
  height: number;
}

export interface VipsOutput {
  photo: string;
  variant: string;
  path: string;
  size: number;
}

export interface VipsRunResult {
  /** From the first process started to the last ended. */
  wallSeconds: number;
  /** user+sys of every vipsthumbnail process, from GNU time (each process's own, whole). */
  cpuSeconds: number;
  /** The largest ru_maxrss of any one process. */
  maxRssBytes: number;
  processes: number;
  outputs: VipsOutput[];
  failure: string | null;
}

/**
 * Debian's vipsthumbnail doing what Quire's pool does with the web preset: every planned variant
 * of every photo, WebP at quality 85 with metadata stripped (`[Q=85,strip]`), auto-oriented from
 * EXIF (vipsthumbnail's default). vipsthumbnail makes one size per invocation, so each variant is
 * its own process, made from the original: the same resizes Quire makes, and each gets libjpeg's
 * shrink-on-load for its size (a 480 px variant decodes the JPEG at 1/8 scale), which is the
 * tool's strength. The planned width×height is passed as `--size`, and the outputs are checked
 * against the plan afterwards.
 *
 * `streams` photos at a time ("one image per core"): each stream takes the next photo not yet
 * taken and runs its variants one after the other, with VIPS_CONCURRENCY=1 so a stream is one
 * core's work. Every process runs under GNU time for its CPU and peak RSS.
 */
export async function runVipsthumbnail(photos: string[], plan: (photo: string) => PlannedVariant[], outDir: string, streams: number, quality: number, timeoutMs: number): Promise<VipsRunResult> {
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  const env = { ...baseEnv(), VIPS_CONCURRENCY: '1' };
  const result: VipsRunResult = { wallSeconds: NaN, cpuSeconds: 0, maxRssBytes: 0, processes: 0, outputs: [], failure: null };
  let next = 0;
  const stream = async (index: number): Promise<void> => {
    const rusageFile = join(outDir, `.rusage-${index}`);
    while (result.failure === null && next < photos.length) {
      const photo = photos[next++]!;
      const stem = basename(photo, extname(photo));
      for (const variant of plan(photo)) {
        const output = join(outDir, `${stem}-${variant.variant}.webp`);
        const args = ['-o', rusageFile, '-f', 'BENCH-RUSAGE\t%U\t%S\t%M', VIPSTHUMBNAIL_BIN, photo, '--size', `${variant.width}x${variant.height}`, '-o', `${output}[Q=${quality},strip]`];
        const run = await runChild('/usr/bin/time', args, env, timeoutMs);
        const line = (await readFile(rusageFile, 'utf8').catch(() => '')).split('\n').find((l) => l.startsWith('BENCH-RUSAGE\t'));
        if (run.exitCode !== 0 || run.timedOut || !line) {
          result.failure = `vipsthumbnail ${basename(photo)} --size ${variant.width}x${variant.height}: ${run.timedOut ? 'timed out' : `exit ${run.exitCode ?? run.signal}: ${lastLine(run.stderr)}`}`;
          return;
        }
        const [, user, sys, maxRssKiB] = line.split('\t');
        result.cpuSeconds += Number(user) + Number(sys);
        result.maxRssBytes = Math.max(result.maxRssBytes, Number(maxRssKiB) * 1024);
        result.processes += 1;
        result.outputs.push({ photo, variant: variant.variant, path: output, size: (await stat(output)).size });
      }
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: Math.min(streams, photos.length) }, (_, i) => stream(i)));
  result.wallSeconds = (performance.now() - started) / 1000;
  return result;
}

export async function vipsVersion(): Promise<string> {
  const run = await runChild(VIPSTHUMBNAIL_BIN, ['--vips-version'], baseEnv(), 10_000);
  return run.exitCode === 0 ? run.stdout.trim() : `not found (${lastLine(run.stderr)}): install libvips-tools`;
}
