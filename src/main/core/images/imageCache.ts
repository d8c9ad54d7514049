import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, rmdir, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PreparedOutput, PreparedSet, PrepareRequest } from './imageJob';

/**
 * Prepared sets kept on disk, so an unchanged image is never encoded twice: not after a restart,
 * not when a watch folder is scanned again, not when the CLI and the app share a data folder.
 *
 * Layout: `<cacheDir>/<source sha256>/<settings hash>/` holds the outputs (`480.webp` ...
 * `thumb.webp`) and `manifest.json`. An entry is made in a temporary folder beside it and renamed
 * into place with its manifest already inside, so an entry that exists is whole; two workers (or
 * two Quire processes) making the same entry at once both succeed, and the second uses the first's.
 * An entry's manifest mtime is when it was last used (eviction removes the least recently used).
 */

/** Raise when the outputs for the same settings would change (a pipeline change): old entries are then missed, and evicted in time. */
export const CACHE_VERSION = 2;

const MANIFEST = 'manifest.json';
const TEMP_PREFIX = '.tmp-';
const TRASH_PREFIX = '.trash-';
/** A temporary folder this old belongs to a worker that was killed mid-image. */
const STALE_TEMP_MS = 60 * 60 * 1000;

export interface CacheKey {
  sourceSha256: string;
  settingsHash: string;
}

/** The versions of the encoder: another libvips may encode other bytes, so its entries are its own. */
export interface EncoderVersions {
  sharp: string;
  vips: string;
}

/** Everything that changes the outputs, hashed (maxPixels only refuses, label and path name nothing made). */
export function settingsHash(request: PrepareRequest, encoder: EncoderVersions): string {
  const { name, box, square, widths, thumbnail } = request.preset;
  const settings = [CACHE_VERSION, encoder.sharp, encoder.vips, { name, box, square, widths, thumbnail }, request.format, request.quality, request.keepMetadata];
  // 80 bits: unique among one image's few settings, and short enough for Windows path limits.
  return createHash('sha256').update(JSON.stringify(settings)).digest('hex').slice(0, 20);
}

/** What the manifest keeps: the set minus what belongs to one run (the source's mtime, where the files are, whether it was a hit). */
interface Manifest {
  version: number;
  sourceSha256: string;
  sourceSize: number;
  source: PreparedSet['source'];
  dominantColor: string;
  notices: string[];
  outputs: (Omit<PreparedOutput, 'path'> & { file: string })[];
}

export interface EvictResult {
  /** Entries and bytes kept. */
  entries: number;
  bytes: number;
  removed: number;
  freedBytes: number;
}

export class ImageCache {
  constructor(readonly dir: string) {}

  entryPath(key: CacheKey): string {
    return join(this.dir, key.sourceSha256, key.settingsHash);
  }

  /** The entry's set, or null when it is absent or not whole (a file missing or of another size). */
  async lookup(key: CacheKey, run: { sourceMtimeMs: number }): Promise<PreparedSet | null> {
    const entry = this.entryPath(key);
    const manifest = await readManifest(entry);
    if (!manifest || manifest.sourceSha256 !== key.sourceSha256) return null;
    for (const output of manifest.outputs) {
      const info = await stat(join(entry, output.file)).catch(() => null);
      if (!info?.isFile() || info.size !== output.size) return null;
    }
    const now = new Date();
    await utimes(join(entry, MANIFEST), now, now).catch(() => {});
    return toSet(entry, manifest, run.sourceMtimeMs, true);
  }

  /**
   * Makes an entry: `make` writes the outputs into a fresh temporary folder and returns their set;
   * the manifest is written there last, then the folder is renamed into place. If another writer
   * got there first with a whole entry, theirs is used and ours removed.
   */
  async store(key: CacheKey, make: (tempDir: string) => Promise<PreparedSet>): Promise<PreparedSet> {
    const parent = join(this.dir, key.sourceSha256);
    const temp = join(parent, `${TEMP_PREFIX}${process.pid}-${randomBytes(6).toString('hex')}`);
    await mkdir(temp, { recursive: true });
    try {
      const made = await make(temp);
      const manifest = toManifest(made, temp);
      await writeFile(join(temp, `${MANIFEST}.partial`), JSON.stringify(manifest, null, 1));
      await rename(join(temp, `${MANIFEST}.partial`), join(temp, MANIFEST));
      const entry = this.entryPath(key);
      if (!(await renameInto(temp, entry))) {
        const theirs = await this.lookup(key, made);
        if (theirs) return { ...theirs, cacheHit: false };
        // The entry there is not whole (a disk error, a hand edit): replace it.
        await this.discard(entry);
        if (!(await renameInto(temp, entry))) throw new Error(`the image cache entry ${entry} is being written by another process`);
      }
      return toSet(entry, manifest, made.sourceMtimeMs, false);
    } finally {
      await rm(temp, { recursive: true, force: true });
    }
  }

  /**
   * Removes the least recently used entries until the cache holds at most `maxBytes`. `keep`
   * protects entries still needed (variants of uploads not yet finished read their files here).
   * Temporary folders left by killed workers go too.
   */
  async evict(maxBytes: number, keep: (entryPath: string) => boolean): Promise<EvictResult> {
    const entries: { path: string; bytes: number; usedMs: number }[] = [];
    for (const source of await listDir(this.dir)) {
      const parent = join(this.dir, source);
      for (const name of await listDir(parent)) {
        const path = join(parent, name);
        if (name.startsWith(TRASH_PREFIX)) {
          await rm(path, { recursive: true, force: true });
        } else if (name.startsWith(TEMP_PREFIX)) {
          const info = await stat(path).catch(() => null);
          if (info && Date.now() - info.mtimeMs > STALE_TEMP_MS) await rm(path, { recursive: true, force: true });
        } else {
          const measured = await measure(path);
          if (measured) entries.push({ path, ...measured });
        }
      }
    }
    let bytes = entries.reduce((sum, entry) => sum + entry.bytes, 0);
    let removed = 0;
    let freedBytes = 0;
    entries.sort((a, b) => a.usedMs - b.usedMs);
    for (const entry of entries) {
      if (bytes <= maxBytes) break;
      if (keep(entry.path)) continue;
      await this.discard(entry.path);
      bytes -= entry.bytes;
      freedBytes += entry.bytes;
      removed += 1;
      await rmdir(join(entry.path, '..')).catch(() => {}); // the source's folder, once empty (else ENOTEMPTY)
    }
    return { entries: entries.length - removed, bytes, removed, freedBytes };
  }

  /** Renamed aside first (a lookup then sees the entry whole or absent, never half-deleted), then removed. */
  private async discard(entry: string): Promise<void> {
    const trash = join(entry, '..', `${TRASH_PREFIX}${randomBytes(6).toString('hex')}`);
    try {
      await rename(entry, trash);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    await rm(trash, { recursive: true, force: true });
  }
}

/** Renames a folder into place; false when a folder is already there (another writer's). */
async function renameInto(from: string, to: string): Promise<boolean> {
  try {
    await rename(from, to);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // Linux says ENOTEMPTY or EEXIST for a folder onto a folder; Windows says EPERM.
    if (code === 'ENOTEMPTY' || code === 'EEXIST' || code === 'EPERM') {
      if (await stat(to).catch(() => null)) return false;
    }
    throw error;
  }
}

async function readManifest(entry: string): Promise<Manifest | null> {
  try {
    const manifest = JSON.parse(await readFile(join(entry, MANIFEST), 'utf8')) as Manifest;
    // A manifest is data read from disk: the shape is checked before anything trusts it.
    if (manifest.version !== CACHE_VERSION || !Array.isArray(manifest.outputs) || manifest.outputs.length === 0) return null;
    const fileName = /^[a-z0-9]+\.[a-z]+$/;
    if (!manifest.outputs.every((output) => typeof output.file === 'string' && fileName.test(output.file) && Number.isSafeInteger(output.size))) return null;
    return manifest;
  } catch {
    return null;
  }
}

function toManifest(set: PreparedSet, dir: string): Manifest {
  return {
    version: CACHE_VERSION,
    sourceSha256: set.sourceSha256,
    sourceSize: set.sourceSize,
    source: set.source,
    dominantColor: set.dominantColor,
    notices: set.notices,
    outputs: set.outputs.map(({ path, ...output }) => {
      if (join(dir, relativeName(path)) !== path) throw new Error(`an output (${path}) was written outside its cache entry (${dir})`);
      return { ...output, file: relativeName(path) };
    }),
  };
}

function toSet(entry: string, manifest: Manifest, sourceMtimeMs: number, cacheHit: boolean): PreparedSet {
  return {
    sourceSha256: manifest.sourceSha256,
    sourceSize: manifest.sourceSize,
    sourceMtimeMs,
    source: manifest.source,
    dominantColor: manifest.dominantColor,
    notices: manifest.notices,
    outputs: manifest.outputs.map(({ file, ...output }) => ({ ...output, path: join(entry, file) })),
    cacheHit,
  };
}

function relativeName(path: string): string {
  return path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
}

async function listDir(dir: string): Promise<string[]> {
  return readdir(dir).catch(() => [] as string[]);
}

/** An entry's bytes and when it was last used (its manifest's mtime; its folder's if it has none). */
async function measure(entry: string): Promise<{ bytes: number; usedMs: number } | null> {
  const folder = await stat(entry).catch(() => null);
  if (!folder?.isDirectory()) return null;
  let bytes = 0;
  let usedMs = folder.mtimeMs;
  for (const name of await listDir(entry)) {
    const info = await stat(join(entry, name)).catch(() => null);
    if (!info) continue;
    bytes += info.size;
    if (name === MANIFEST) usedMs = info.mtimeMs;
  }
  return { bytes, usedMs };
}
