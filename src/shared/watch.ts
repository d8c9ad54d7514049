import { z } from 'zod';
import { categoryNames, type Category } from './layout';

/**
 * Watch folders: a local folder kept in sync with a connection's bucket under a prefix. The
 * watcher only hints where to look; a reconcile scan against the ledger decides what to send, so
 * nothing unchanged is sent twice and nothing is deleted remotely unless the author asked.
 */

const glob = z.string().trim().min(1).max(200);

export const watchAddInputSchema = z.object({
  /** An absolute folder on the engine's machine. */
  path: z.string().min(1, 'name the folder to watch').max(4096),
  connection: z.string().min(1).max(64).optional(),
  /** Where the folder's files go ("books/content/my-novel/"); absent, each file under its type's folder. */
  to: z.string().max(900).optional(),
  /** One type for every file of the folder; absent, each file's type is guessed from its name. */
  type: z.enum(categoryNames as [Category, ...Category[]]).optional(),
  /** Only files matching one of these (relative to the folder, e.g. "**\/*.wav") are synced; empty = all. */
  include: z.array(glob).max(50).default([]),
  /** Files matching any of these are never synced (on top of temporary and system files). */
  exclude: z.array(glob).max(50).default([]),
  /** Poll instead of waiting for events: for network shares, which send none. */
  poll: z.boolean().default(false),
  /** A file deleted from the folder is deleted from the bucket too. Off unless the author asks. */
  syncDeletes: z.boolean().default(false),
  /** Even then: when more than this share of the folder's files vanish at once, nothing is deleted until the author confirms. */
  deleteGuardPercent: z.number().int().min(1, 'the guard is at least 1%').max(100, 'the guard is at most 100%').default(25),
  /** Images get their web set (true) or go as they are (false); absent, settings decide by destination. */
  optimize: z.boolean().optional(),
});
export type WatchAddInput = z.input<typeof watchAddInputSchema>;

export const watchTargetSchema = z.object({ id: z.string().regex(/^[0-9a-f-]{4,36}$/i, 'is not a watch folder id (see: quire watch list)') });

export type WatchFolderState = 'syncing' | 'idle' | 'paused' | 'unavailable' | 'error';

export interface WatchFolderSummary {
  id: string;
  path: string;
  connectionId: string;
  connection: string;
  /** The destination prefix, or null: each file under its type's folder. */
  to: string | null;
  type: Category | null;
  include: string[];
  exclude: string[];
  poll: boolean;
  syncDeletes: boolean;
  deleteGuardPercent: number;
  /** Images get their web set (true), go as they are (false), or as settings say for their destination (null). */
  optimize: boolean | null;
  /** Deletions held because too many files vanished at once: nothing is deleted until the author confirms (watch.confirmDeletes). */
  deletesHeld: number;
  paused: boolean;
  state: WatchFolderState;
  /** Why it is unavailable or in error, and what to do (the folder is gone, watches ran out...). */
  message: string | null;
  /** Files the ledger knows in this folder, by what happened to them. */
  files: { synced: number; pending: number; ignored: number; missing: number };
  lastScanAt: number | null;
  lastSyncAt: number | null;
  createdAt: number;
}
