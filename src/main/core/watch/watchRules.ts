import { matchesGlob } from 'node:path';
import { isTemporaryOrSystemFile } from '../layout/ignoredFiles';

/**
 * Which files of a watch folder are synced: never temporary or system files, nor dot-files (and
 * nothing inside a dot-folder: `.git`, `.Trash`); then the author's exclude patterns; then, if any
 * include patterns are given, only what they match. Paths are relative, with "/".
 */
export class WatchRules {
  constructor(
    private readonly include: string[],
    private readonly exclude: string[],
  ) {}

  /** Whether a folder (relative path) is walked and watched at all. */
  walksInto(relativeDir: string): boolean {
    const name = relativeDir.slice(relativeDir.lastIndexOf('/') + 1);
    return !name.startsWith('.') && !this.exclude.some((glob) => matchesGlob(relativeDir, glob));
  }

  accepts(relativePath: string): boolean {
    const name = relativePath.slice(relativePath.lastIndexOf('/') + 1);
    if (name.startsWith('.') || isTemporaryOrSystemFile(name)) return false;
    if (relativePath.split('/').some((segment) => segment.startsWith('.'))) return false;
    if (this.exclude.some((glob) => matchesGlob(relativePath, glob) || matchesGlob(name, glob))) return false;
    return this.include.length === 0 || this.include.some((glob) => matchesGlob(relativePath, glob) || matchesGlob(name, glob));
  }
}
