import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { printable } from '../../../shared/printable';
import type { WatchRules } from './watchRules';

export interface FoundFile {
  size: number;
  mtimeMs: number;
}

export interface ScanResult {
  /** Relative path ("/") -> size and mtime, for every regular file under the scanned paths. */
  files: Map<string, FoundFile>;
  /** Subfolders that could not be read, said plainly; the rest of the folder is scanned. */
  problems: string[];
}

/**
 * Lists a watch folder's files (or some of its paths) as they are now. Links are not followed at
 * all — a link out of the folder could send what the author never meant to share, and a link to
 * a parent would loop — and folders the rules leave out are not entered.
 */
export async function scanFolder(root: string, rules: WatchRules, paths: 'all' | Iterable<string> = 'all'): Promise<ScanResult> {
  const result: ScanResult = { files: new Map(), problems: [] };
  if (paths === 'all') {
    await walk(root, '', rules, result);
    return result;
  }
  for (const relativePath of paths) {
    const info = await lstat(join(root, relativePath)).catch(() => null);
    if (!info) continue; // gone: the caller marks what it knew there as missing
    if (info.isFile()) result.files.set(relativePath, { size: info.size, mtimeMs: Math.trunc(info.mtimeMs) });
    else if (info.isDirectory() && rules.walksInto(relativePath)) await walk(root, relativePath, rules, result);
  }
  return result;
}

async function walk(root: string, relativeDir: string, rules: WatchRules, result: ScanResult): Promise<void> {
  const dir = relativeDir === '' ? root : join(root, relativeDir);
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    result.problems.push(
      code === 'EACCES' || code === 'EPERM'
        ? `${printable(dir)}: permission denied; its files are not synced. Give Quire read access to it.`
        : `${printable(dir)} could not be read (${code ?? String(error)}); its files are not synced.`,
    );
    return;
  }
  const files = entries.filter((entry) => entry.isFile());
  // Sizes and times a few at a time: a folder of a thousand covers is mostly waiting on the disk.
  await Promise.all(
    files.map(async (entry) => {
      const relativePath = relativeDir === '' ? entry.name : `${relativeDir}/${entry.name}`;
      const info = await lstat(join(dir, entry.name)).catch(() => null);
      if (info?.isFile()) result.files.set(relativePath, { size: info.size, mtimeMs: Math.trunc(info.mtimeMs) });
    }),
  );
  for (const entry of entries) {
    if (!entry.isDirectory()) continue;
    const relativePath = relativeDir === '' ? entry.name : `${relativeDir}/${entry.name}`;
    if (rules.walksInto(relativePath)) await walk(root, relativePath, rules, result);
  }
}
