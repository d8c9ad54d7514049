import { randomFillSync } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
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

/**
 * A watch folder's tree: `folders` folders of `perFolder` files of `size` random bytes each
 * (`folder-0001/file-01.bin`...), made if missing. Built beside it and renamed into place, so a
 * tree that exists is whole. Only regular files, no dot-file: every tool must see the same files.
 */
export async function ensureFileTree(dataDir: string, folders: number, perFolder: number, size: number): Promise<{ dir: string; files: string[] }> {
  await mkdir(dataDir, { recursive: true });
  const dir = join(dataDir, `tree-${folders}x${perFolder}x${size / 1024}KiB`);
  const folderNames = Array.from({ length: folders }, (_, i) => `folder-${String(i + 1).padStart(4, '0')}`);
  const fileNames = Array.from({ length: perFolder }, (_, i) => `file-${String(i + 1).padStart(2, '0')}.bin`);
  const files = folderNames.flatMap((folder) => fileNames.map((name) => join(dir, folder, name)));
  if ((await readdir(dir).catch(() => [] as string[])).length !== folders) {
    process.stderr.write(`bench: writing ${files.length} files of ${size / 1024} KiB in ${folders} folders to ${dir}\n`);
    await rm(dir, { recursive: true, force: true });
    await rm(`${dir}.tmp`, { recursive: true, force: true });
    for (const folder of folderNames) {
      await mkdir(join(`${dir}.tmp`, folder), { recursive: true });
      for (const name of fileNames) await writeFile(join(`${dir}.tmp`, folder, name), randomFillSync(Buffer.allocUnsafe(size)));
    }
    await rename(`${dir}.tmp`, dir);
  }
  return { dir, files };
}

/** Sets every file's access and modification time to `at` (ms), a few at a time. */
export async function setFileTimes(files: string[], at: number): Promise<void> {
  const seconds = at / 1000;
  for (let i = 0; i < files.length; i += 256) await Promise.all(files.slice(i, i + 256).map((file) => utimes(file, seconds, seconds)));
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
