import { z } from 'zod';

/**
 * The engine machine's own folders, for "add from this computer" on a headless host: a browser
 * on another screen cannot hand over paths, so the page browses the host's files instead.
 */
export const browseInputSchema = z.object({
  /** An absolute path on the engine's machine; the author's home folder when absent. */
  path: z.string().min(1).max(4096).optional(),
});

export interface BrowseEntry {
  name: string;
  path: string;
  kind: 'file' | 'folder';
  size: number;
  modifiedAt: number;
}

export interface BrowseResult {
  path: string;
  /** Null at the top of the file system. */
  parent: string | null;
  /** Folders first, then files, each by name; hidden entries (starting with a dot) left out. */
  entries: BrowseEntry[];
}
