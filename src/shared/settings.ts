import { z } from 'zod';
import { desktopSettingsSchema } from './desktop';
import { imageSettingsSchema } from './images';

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
  /** Size of each part of a large file (S3's range is 5 MiB to 5 GiB; grown for a file that would need over 10,000). */
  partSize: z
    .number()
    .int()
    .min(5 * 1024 ** 2, 'a part is at least 5 MiB (the smallest S3 accepts)')
    .max(5 * 1024 ** 3, 'a part is at most 5 GiB (the largest S3 accepts)'),
  /** S3 requests in flight across all files (memory is about 1 MiB per request). */
  requestBudget: z.number().int().min(1, 'at least 1 request in flight').max(64, 'at most 64 requests in flight'),
  /** Large (multipart) files uploading at once; small files only need a request slot. */
  filesAtOnce: z.number().int().min(1, 'at least 1 file at once').max(10, 'at most 10 large files at once'),
  /** "Pause everything": nothing starts until it is lifted, across restarts. */
  queuePaused: z.boolean(),
  // How images are prepared before they upload (src/shared/images.ts).
  ...imageSettingsSchema.shape,
  // The desktop app's tray, notifications and login item (src/shared/desktop.ts).
  ...desktopSettingsSchema.shape,
  /** The desktop app has said once that closing its window keeps uploads going in the tray. */
  trayHintShown: z.boolean(),
});
export type Settings = z.infer<typeof settingsSchema>;

export const settingsUpdateSchema = settingsSchema.omit({ queuePaused: true, trayHintShown: true }).partial();
export type SettingsUpdate = z.infer<typeof settingsUpdateSchema>;

/**
 * The author's settings as a host shows them: what is saved, and what this process's host fixed
 * for its own run by flags (`quire serve --limit-rate 1MiB`), which is in force here instead
 * until it stops.
 */
export interface SettingsReport extends Settings {
  fixedHere: Partial<SettingsUpdate>;
}
