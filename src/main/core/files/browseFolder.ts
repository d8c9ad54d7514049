import { readdir, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { BrowseEntry, BrowseResult } from '../../../shared/files';
import { printable } from '../../../shared/printable';
import { QuireError } from '../errors';

/** Enough for any folder an author keeps books in; a folder with more is listed in part, said so by the count. */
const MAX_ENTRIES = 5000;

/**
 * One folder of the engine's machine, for a page that cannot hand over paths (a browser on a
 * headless host). It only lists: reading a file's bytes goes through enqueue, with its checks.
 */
export async function browseFolder(path: string | undefined): Promise<BrowseResult> {
  if (path !== undefined && !isAbsolute(path)) throw new QuireError('usage', `${printable(path)} is not an absolute path.`);
  const folder = resolve(path ?? homedir());
  let names: string[];
  try {
    const info = await stat(folder);
    if (!info.isDirectory()) throw new QuireError('usage', `${printable(folder)} is a file, not a folder.`);
    names = await readdir(folder);
  } catch (error) {
    if (error instanceof QuireError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new QuireError('file_missing', `${printable(folder)}: no such folder (it may have been moved or unmounted).`);
    if (code === 'EACCES' || code === 'EPERM') throw new QuireError('file_unreadable', `${printable(folder)}: permission denied. Quire can only show folders it may read.`);
    throw error;
  }
  const entries: BrowseEntry[] = [];
  for (const name of names.filter((n) => !n.startsWith('.')).slice(0, MAX_ENTRIES)) {
    const full = join(folder, name);
    // stat follows links, so a linked folder opens like a folder; what cannot be read is left out.
    const info = await stat(full).catch(() => null);
    if (!info || !(info.isFile() || info.isDirectory())) continue;
    entries.push({ name, path: full, kind: info.isDirectory() ? 'folder' : 'file', size: info.isFile() ? info.size : 0, modifiedAt: info.mtimeMs });
  }
  entries.sort((a, b) => (a.kind === b.kind ? a.name.localeCompare(b.name) : a.kind === 'folder' ? -1 : 1));
  const parent = dirname(folder);
  return { path: folder, parent: parent === folder ? null : parent, entries };
}
