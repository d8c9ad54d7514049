import { z } from 'zod';

/**
 * The author's settings: choices that outlive a run, kept in the ledger's settings table and read
 * by whichever process drives the queue (so `quire settings` changes a running app's cap too).
 * The engine's other tunings and this process's flags join them in core/settings.ts.
 */
export const settingsSchema = z.object({
  /** Bytes per second for all uploads together; 0 means no cap. */
  bandwidthLimit: z.number().int().min(0).max(10 * 1024 ** 3),
  /** Requests per second per connection; Spaces' stricter documented limit is 300 writes+lists/s. */
  requestsPerSecond: z.number().int().min(1).max(10_000),
  /** "Pause everything": nothing starts until it is lifted, across restarts. */
  queuePaused: z.boolean(),
});
export type Settings = z.infer<typeof settingsSchema>;

export const settingsUpdateSchema = settingsSchema.omit({ queuePaused: true }).partial();
export type SettingsUpdate = z.infer<typeof settingsUpdateSchema>;
