import { randomFillSync } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MIB, type BenchConfig } from './config';

export interface Fixtures {
  bigFile: string;
  bigBytes: number;
  smallDir: string;
  smallFiles: string[];
}

/**
 * The test data, made once and kept between bench runs (bench/.work/data is git-ignored).
 * Random bytes, so no tool or server can win by compressing or deduplicating. Names carry the
 * sizes, so changing BENCH_BIG_MIB makes a new file instead of reusing a wrong one.
 */
export async function ensureFixtures(config: BenchConfig): Promise<Fixtures> {
  const dataDir = join(config.workDir, 'data');
  const bigFile = await ensureRandomFile(dataDir, config.bigBytes);
  const small = await ensureSmallFiles(dataDir, config.smallFiles, config.smallBytes);
  return { bigFile, bigBytes: config.bigBytes, smallDir: small.dir, smallFiles: small.files };
}

/** A file of `size` random bytes in `dataDir` (its name carries the size), made if missing. */
export async function ensureRandomFile(dataDir: string, size: number, stem = 'big'): Promise<string> {
  await mkdir(dataDir, { recursive: true });
  const path = join(dataDir, `${stem}-${size / MIB}MiB.bin`);
  if ((await stat(path).catch(() => null))?.size !== size) {
    process.stderr.write(`bench: writing ${size / MIB} MiB of random bytes to ${path}\n`);
    await writeRandomFile(path, size);
  }
  return path;
}

/** `count` files of `size` random bytes in a folder of `dataDir` (its name carries both), made if missing. */
export async function ensureSmallFiles(dataDir: string, count: number, size: number): Promise<{ dir: string; files: string[] }> {
  await mkdir(dataDir, { recursive: true });
  // A folder name the keys of every tool share: `<prefix>/<folder>/<file>`.
  const dir = join(dataDir, `small-${count}x${size / 1024}KiB`);
  const names = Array.from({ length: count }, (_, i) => `file-${String(i + 1).padStart(5, '0')}.bin`);
  const existing = new Set(await readdir(dir).catch(() => [] as string[]));
  if (existing.size !== names.length || !names.every((name) => existing.has(name))) {
    process.stderr.write(`bench: writing ${count} files of ${size / 1024} KiB to ${dir}\n`);
    await rm(dir, { recursive: true, force: true });
    await rm(`${dir}.tmp`, { recursive: true, force: true });
    await mkdir(`${dir}.tmp`, { recursive: true });
    for (const name of names) await writeFile(join(`${dir}.tmp`, name), randomFillSync(Buffer.allocUnsafe(size)));
    await rename(`${dir}.tmp`, dir);
  }
  return { dir, files: names.map((name) => join(dir, name)) };
}

/** Written under a temporary name and renamed, so an interrupted bench never leaves a short file that looks done. */
async function writeRandomFile(path: string, size: number): Promise<void> {
  const partial = `${path}.partial`;
  const handle = await open(partial, 'w');
  try {
    const chunk = Buffer.allocUnsafe(8 * MIB);
    for (let written = 0; written < size; ) {
      const length = Math.min(chunk.length, size - written);
      randomFillSync(chunk, 0, length);
      await handle.write(chunk, 0, length, written);
      written += length;
    }
  } finally {
    await handle.close();
  }
  await rename(partial, path);
}

/**
 * Reads every byte once, so all tools start with the data in the page cache: the bench compares
 * upload clients, not who happened to run first on a cold disk. Repeated before each round
 * (cheap once cached) in case the server's writes pushed something out.
 */
export async function warmPageCache(fixtures: Fixtures | string[]): Promise<void> {
  for (const path of Array.isArray(fixtures) ? fixtures : [fixtures.bigFile, ...fixtures.smallFiles]) {
    await new Promise<void>((resolve, reject) => {
      const stream = createReadStream(path, { highWaterMark: 4 * MIB });
      stream.on('data', () => {});
      stream.on('end', resolve);
      stream.on('error', reject);
    });
  }
}
