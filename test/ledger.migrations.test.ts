import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openLedger } from '../src/main/core/ledger/database';
import { findResourcesDir } from '../src/main/core/paths';
import { tempDir } from './support/tempDir';

const migrationsDir = join(findResourcesDir(), 'migrations');

function tables(path: string): string[] {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '__drizzle%' ORDER BY name").all() as { name: string }[]).map((row) => row.name);
  } finally {
    db.close();
  }
}

describe('ledger migrations', () => {
  it('has one committed SQL file per journal entry', () => {
    const files = readdirSync(migrationsDir).filter((name) => name.endsWith('.sql'));
    expect(files.length).toBeGreaterThan(0);
    expect(files[0]).toBe('0000_initial.sql');
  });

  it('0000_initial creates the ledger tables, in WAL mode with foreign keys on', () => {
    const dir = tempDir('migrate');
    const db = openLedger(dir, migrationsDir);
    expect(db.$client.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.$client.pragma('foreign_keys', { simple: true })).toBe(1);
    db.$client.close();
    expect(tables(join(dir, 'ledger.sqlite'))).toEqual(['connections', 'multipart_parts', 'multipart_sessions', 'operations', 'settings', 'uploads']);
  });

  it('re-opening an existing ledger keeps its rows (migrations are applied once)', () => {
    const dir = tempDir('reopen');
    const first = openLedger(dir, migrationsDir);
    first.$client.prepare("INSERT INTO settings (key, value) VALUES ('theme', 'dark')").run();
    first.$client.close();
    const second = openLedger(dir, migrationsDir);
    expect(second.$client.prepare("SELECT value FROM settings WHERE key = 'theme'").get()).toEqual({ value: 'dark' });
    second.$client.close();
  });
});
