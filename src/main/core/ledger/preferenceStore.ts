import { preferencesSchema, type Preferences } from '../../../shared/preferences';
import type { Ledger } from './database';
import { settings } from './schema';

/**
 * Preferences as rows of the settings table, one JSON value per key. A row that no longer parses
 * (an older version wrote it, or someone edited the file) falls back to the default rather than
 * stopping Quire: these are choices, not records.
 */
export class PreferenceStore {
  constructor(
    private readonly db: Ledger,
    private readonly defaults: Preferences,
  ) {}

  read(): Preferences {
    const stored: Record<string, unknown> = {};
    for (const row of this.db.select().from(settings).all()) {
      try {
        stored[row.key] = JSON.parse(row.value);
      } catch {
        // Unreadable: the default stands.
      }
    }
    const result = { ...this.defaults };
    for (const key of Object.keys(preferencesSchema.shape) as (keyof Preferences)[]) {
      const parsed = preferencesSchema.shape[key].safeParse(stored[key]);
      if (parsed.success) (result as Record<string, unknown>)[key] = parsed.data;
    }
    return result;
  }

  write(values: Partial<Preferences>): Preferences {
    const now = Date.now();
    this.db.transaction((tx) => {
      for (const [key, value] of Object.entries(values)) {
        if (value === undefined) continue;
        const json = JSON.stringify(value);
        tx.insert(settings).values({ key, value: json, updatedAt: now }).onConflictDoUpdate({ target: settings.key, set: { value: json, updatedAt: now } }).run();
      }
    });
    return this.read();
  }
}
