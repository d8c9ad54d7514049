import { defaultDesktopSettings } from '../../shared/desktop';
import { defaultImageSettings } from '../../shared/images';
import { settingsSchema, settingsUpdateSchema, type Settings, type SettingsUpdate } from '../../shared/settings';
import type { Ledger } from './ledger/database';
import { settings as settingsTable } from './ledger/schema';
import { DEFAULT_MULTIPART_THRESHOLD, DEFAULT_PART_SIZE } from './upload/partPlan';
import type { TransferSettings } from './upload/transferContext';

/**
 * Everything that tunes the engine, in one place: built-in defaults (below), the author's settings
 * stored in the ledger (bandwidth cap, request rate, part size, requests in flight, files at once,
 * pause: src/shared/settings.ts; the queue applies them at its next tick), and what a
 * host fixed for its own process (the CLI's --limit-rate, say), which wins for that process only.
 */
export interface EngineSettings extends TransferSettings {
  /** Large (multipart) files uploading at once (the platform specs' bulk limit is 3). */
  filesAtOnce: number;
  /** S3 requests in flight across all files; small files fill it one request each. */
  requestBudget: number;
  /** Tries per S3 request before the job ends and the upload waits. */
  maxAttempts: number;
  /** After this many waits an upload that keeps failing is marked failed (retryable). Being offline does not count. */
  maxWaits: number;
  /** Requests per second per connection, before any SlowDown lowers it. */
  requestsPerSecond: number;
  /** Bytes per second for all uploads together; 0 for no cap. */
  bandwidthLimit: number;
  /** A request whose socket is silent this long is dropped and tried again (a stalled network path). */
  requestIdleTimeoutMs: number;
  /** Longest wait between two probes of an endpoint that went offline. */
  maxProbeIntervalMs: number;
}

/** Defaults, each with where it comes from (docs/storage-facts.md holds the providers' figures). */
export const defaultEngineSettings: EngineSettings = {
  multipartThreshold: DEFAULT_MULTIPART_THRESHOLD, // platform specs: 10 MiB
  partSize: DEFAULT_PART_SIZE, // platform specs: 10 MiB, grown to stay under 10,000 parts
  partsPerObject: 10, // Spaces: at most 10 concurrent PUTs to one object
  filesAtOnce: 3, // platform specs: bulk upload of 3 files at once
  requestBudget: 8,
  maxAttempts: 4,
  maxWaits: 12,
  // Older Spaces buckets allow 300 writes+lists/s, newer accounts 1,500 requests/s per IP. The
  // stricter figure holds for every bucket; a SlowDown lowers it further.
  requestsPerSecond: 300,
  bandwidthLimit: 0,
  // Long enough for a slow uplink's pause, short enough that a dead path is noticed in a minute.
  requestIdleTimeoutMs: 60_000,
  maxProbeIntervalMs: 30_000,
};

/**
 * The author's settings as rows of the ledger's settings table, one JSON value per key, with the
 * built-in defaults where nothing is stored. A row that no longer parses (an older version wrote it,
 * or someone edited the file) falls back rather than stopping Quire: these are choices, not records.
 */
export class SettingsStore {
  constructor(
    private readonly db: Ledger,
    /** What this process's host fixed (CLI flags): in force here whatever is stored. */
    private readonly fixed: Partial<EngineSettings>,
  ) {}

  /** What the author chose (what `quire settings` shows and changes). */
  read(): Settings {
    const stored: Record<string, unknown> = {};
    for (const row of this.db.select().from(settingsTable).all()) {
      try {
        stored[row.key] = JSON.parse(row.value);
      } catch {
        // Unreadable: the default stands.
      }
    }
    // Where nothing is saved, the built-in default, never this run's flags: fixedHere reports
    // those apart, or a page would call a flag the author's saved choice.
    const result: Settings = {
      bandwidthLimit: defaultEngineSettings.bandwidthLimit,
      requestsPerSecond: defaultEngineSettings.requestsPerSecond,
      partSize: defaultEngineSettings.partSize,
      requestBudget: defaultEngineSettings.requestBudget,
      filesAtOnce: defaultEngineSettings.filesAtOnce,
      queuePaused: false,
      ...defaultImageSettings,
      ...defaultDesktopSettings,
      trayHintShown: false,
    };
    for (const key of Object.keys(settingsSchema.shape) as (keyof Settings)[]) {
      const parsed = settingsSchema.shape[key].safeParse(stored[key]);
      if (parsed.success) (result as Record<string, unknown>)[key] = parsed.data;
    }
    return result;
  }

  /** What is in force in this process: the author's choice, unless the host fixed it for this run. */
  inForce(): Settings {
    const chosen = this.read();
    return {
      ...chosen,
      bandwidthLimit: this.fixed.bandwidthLimit ?? chosen.bandwidthLimit,
      requestsPerSecond: this.fixed.requestsPerSecond ?? chosen.requestsPerSecond,
      partSize: this.fixed.partSize ?? chosen.partSize,
      requestBudget: this.fixed.requestBudget ?? chosen.requestBudget,
      filesAtOnce: this.fixed.filesAtOnce ?? chosen.filesAtOnce,
    };
  }

  /** The author's settings this process's host fixed for its run (they win over what is saved, here). */
  fixedHere(): Partial<SettingsUpdate> {
    // Only the engine's tunings can be fixed by a host; image choices are always the author's.
    const fixed: Record<string, unknown> = {};
    for (const key of Object.keys(settingsUpdateSchema.shape)) {
      const value = (this.fixed as Record<string, unknown>)[key];
      if (value !== undefined) fixed[key] = value;
    }
    return fixed as Partial<SettingsUpdate>;
  }

  write(values: SettingsUpdate & { queuePaused?: boolean; trayHintShown?: boolean }): Settings {
    const now = Date.now();
    this.db.transaction((tx) => {
      for (const [key, value] of Object.entries(values)) {
        if (value === undefined) continue;
        const json = JSON.stringify(value);
        tx.insert(settingsTable).values({ key, value: json, updatedAt: now }).onConflictDoUpdate({ target: settingsTable.key, set: { value: json, updatedAt: now } }).run();
      }
    });
    return this.read();
  }
}
