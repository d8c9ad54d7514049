import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import * as schema from './schema';

export type Ledger = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

/**
 * Opens (creating if needed) the ledger in `dataDir` and applies every committed migration.
 * WAL lets the CLI read the queue while the app writes it.
 *
 * `synchronous = NORMAL`: in WAL mode every commit survives the process being killed or
 * crashing (it is in the operating system's cache before the call returns); only a power cut
 * can lose the last few, and each record has a way back that sends nothing wrong: a lost part
 * row is adopted again from ListParts (its range hashes to the listed ETag), a lost session row
 * leaves an orphan the janitor aborts after 24 h while the upload starts over, a lost
 * `verified` is re-checked with HeadObject. FULL would cost an fsync per commit (a few per
 * small file), a third of the time of uploading 64 KiB files.
 */
export function openLedger(dataDir: string, migrationsDir: string): Ledger {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const sqlite = new Database(join(dataDir, 'ledger.sqlite'));
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  // Another Quire process may hold a write for a moment; wait rather than fail.
  sqlite.pragma('busy_timeout = 5000');
  reuseStatements(sqlite);
  const db = drizzle(sqlite, { schema }) as Ledger;
  migrate(db, { migrationsFolder: migrationsDir });
  return db;
}

/** Distinct query shapes Quire runs are a few dozen; the bound only guards against surprises. */
const STATEMENT_CACHE_SIZE = 256;

/**
 * drizzle asks SQLite to compile every query anew, each time it runs: for a thousand small
 * files that is most of Quire's CPU (the queue asks a few questions per file). Compiled
 * statements are reusable, so the same SQL text gets the same statement. Safe because every
 * reading query drizzle builds here always uses the same result mode for the same SQL text.
 */
function reuseStatements(sqlite: Database.Database): void {
  const prepare = sqlite.prepare.bind(sqlite);
  const cache = new Map<string, Database.Statement>();
  sqlite.prepare = ((source: string) => {
    let statement = cache.get(source);
    if (!statement) {
      statement = prepare(source);
      if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
      cache.set(source, statement);
    }
    return statement;
  }) as typeof sqlite.prepare;
}
