import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import * as schema from './schema';

export type Ledger = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

/**
 * Opens (creating if needed) the ledger in `dataDir` and applies every committed migration.
 * WAL lets the CLI read the queue while the app writes it; `synchronous = FULL` because a part
 * recorded as done must stay recorded after a power cut (ListParts would catch a lost row, but
 * only once the server answers again).
 */
export function openLedger(dataDir: string, migrationsDir: string): Ledger {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const sqlite = new Database(join(dataDir, 'ledger.sqlite'));
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  // Another Quire process may hold a write for a moment; wait rather than fail.
  sqlite.pragma('busy_timeout = 5000');
  const db = drizzle(sqlite, { schema }) as Ledger;
  migrate(db, { migrationsFolder: migrationsDir });
  return db;
}
