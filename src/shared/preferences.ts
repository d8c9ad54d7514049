import { z } from 'zod';

/**
 * The author's own choices that outlive a run, kept in the ledger's settings table and read by
 * whichever process drives the queue (so `quire settings` changes a running app's cap too).
 */
export const preferencesSchema = z.object({
  /** Bytes per second for all uploads together; 0 means no cap. */
  bandwidthLimit: z.number().int().min(0).max(10 * 1024 ** 3),
  /** Requests per second per connection; Spaces' stricter documented limit is 300 writes+lists/s. */
  requestsPerSecond: z.number().int().min(1).max(10_000),
  /** "Pause everything": nothing starts until it is lifted, across restarts. */
  queuePaused: z.boolean(),
});
export type Preferences = z.infer<typeof preferencesSchema>;

export const preferencesUpdateSchema = preferencesSchema.omit({ queuePaused: true }).partial();
export type PreferencesUpdate = z.infer<typeof preferencesUpdateSchema>;
