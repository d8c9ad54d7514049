import { z } from 'zod';

/**
 * The platform specs' cleanup of temporary files, made safe: objects under `temp/` older than a
 * day are listed, and removed only when the author confirms, each checked again (still under
 * temp/, still over a day old) before it goes. Nothing else is ever deleted without the author
 * asking for that object.
 */
export const TEMP_PREFIX = 'temp/';
export const TEMP_KEPT_MS = 24 * 60 * 60 * 1000;

export interface TempObject {
  key: string;
  size: number;
  lastModified: number;
}

export interface TempReport {
  connection: string;
  /** Objects under temp/ over a day old, oldest first. */
  objects: TempObject[];
  bytes: number;
}

export interface TempRemoval extends TempReport {
  removed: string[];
  /** Keys not removed, each with why (no longer there, not old enough, not under temp/). */
  kept: { key: string; reason: string }[];
}

export const tempListInputSchema = z.object({ connection: z.string().min(1).max(64).optional() });
export const tempRemoveInputSchema = z.object({
  connection: z.string().min(1).max(64).optional(),
  /** The keys the author confirmed (as listed); each is checked again before it goes. */
  keys: z.array(z.string().min(1).max(1024)).min(1, 'name at least one object').max(10_000),
});
