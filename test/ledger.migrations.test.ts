import { cpSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openLedger } from '../src/main/core/ledger/database';
import { findResourcesDir } from '../src/main/core/paths';
import { tempDir } from './support/tempDir';

const migrationsDir = join(findResourcesDir(), 'migrations');

/** The committed migrations up to (not including) `tag`, copied into `dir`: a ledger as an older Quire left it. */
function migrationsBefore(dir: string, tag: string): string {
  const journal = JSON.parse(readFileSync(join(migrationsDir, 'meta', '_journal.json'), 'utf8')) as { entries: { tag: string }[] };
  const entries = journal.entries.slice(0, journal.entries.findIndex((entry) => entry.tag === tag));
  const before = join(dir, `migrations-before-${tag}`);
  mkdirSync(join(before, 'meta'), { recursive: true });
  for (const entry of entries) cpSync(join(migrationsDir, `${entry.tag}.sql`), join(before, `${entry.tag}.sql`));
  writeFileSync(join(before, 'meta', '_journal.json'), JSON.stringify({ ...journal, entries }));
  return before;
}

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
    expect(tables(join(dir, 'ledger.sqlite'))).toEqual(['connections', 'image_sets', 'multipart_parts', 'multipart_sessions', 'operation_rollups', 'operations', 'settings', 'uploads', 'usage_scan_units', 'usage_scans', 'usage_snapshots', 'watch_folders', 'watched_files']);
  });

  it('0001_drop_session_part_md5s drops the per-session MD5 list and keeps sessions and their parts', () => {
    // A ledger as the first release left it: only migration 0000 applied, a session in flight.
    const dir = tempDir('migrate1');
    const firstRelease = join(dir, 'migrations-0000');
    mkdirSync(join(firstRelease, 'meta'), { recursive: true });
    cpSync(join(migrationsDir, '0000_initial.sql'), join(firstRelease, '0000_initial.sql'));
    const journal = JSON.parse(readFileSync(join(migrationsDir, 'meta', '_journal.json'), 'utf8'));
    writeFileSync(join(firstRelease, 'meta', '_journal.json'), JSON.stringify({ ...journal, entries: journal.entries.slice(0, 1) }));
    const old = openLedger(join(dir, 'data'), firstRelease);
    old.$client.exec(`
      INSERT INTO connections (id, name, provider, endpoint, region, bucket, max_file_size, access_key_id, created_at, updated_at)
        VALUES ('c1', 'space', 's3_compatible', 'http://127.0.0.1:1', 'nyc3', 'b', 5368709120, 'K', 1, 1);
      INSERT INTO uploads (id, connection_id, source_path, size, mtime_ms, fingerprint, object_key, content_type, category, visibility, status, method, created_at, updated_at)
        VALUES ('u1', 'c1', '/a.wav', 20971520, 1, 'f', 'audiobooks/chapters/a.wav', 'audio/wav', 'audio', 'private', 'uploading', 'multipart', 1, 1);
      INSERT INTO multipart_sessions (id, upload_id, s3_upload_id, object_key, part_size, part_count, part_md5s, status, created_at)
        VALUES ('s1', 'u1', 'X', 'audiobooks/chapters/a.wav', 10485760, 2, '["aa","bb"]', 'active', 1);
      INSERT INTO multipart_parts (session_id, part_number, etag, size, md5, uploaded_at) VALUES ('s1', 1, 'aa', 10485760, 'aa', 1);
    `);
    old.$client.close();

    const migrated = openLedger(join(dir, 'data'), migrationsDir);
    const columns = (migrated.$client.prepare('PRAGMA table_info(multipart_sessions)').all() as { name: string }[]).map((column) => column.name);
    expect(columns).not.toContain('part_md5s');
    expect(migrated.$client.prepare('SELECT s3_upload_id AS id, part_count AS parts FROM multipart_sessions').all()).toEqual([{ id: 'X', parts: 2 }]);
    expect(migrated.$client.prepare('SELECT part_number AS n, md5 FROM multipart_parts').all()).toEqual([{ n: 1, md5: 'aa' }]);
    migrated.$client.close();
  });

  it('0003_wait_counters gives every existing upload zero waits and changes, and keeps it as it was', () => {
    // A ledger as the release before it left it: migrations 0000-0002, an upload waiting to retry.
    const dir = tempDir('migrate3');
    const before = join(dir, 'migrations-0002');
    mkdirSync(join(before, 'meta'), { recursive: true });
    const journal = JSON.parse(readFileSync(join(migrationsDir, 'meta', '_journal.json'), 'utf8'));
    const entries = journal.entries.slice(0, 3) as { tag: string }[];
    for (const entry of entries) cpSync(join(migrationsDir, `${entry.tag}.sql`), join(before, `${entry.tag}.sql`));
    writeFileSync(join(before, 'meta', '_journal.json'), JSON.stringify({ ...journal, entries }));
    const old = openLedger(join(dir, 'data'), before);
    old.$client.exec(`
      INSERT INTO connections (id, name, provider, endpoint, region, bucket, max_file_size, access_key_id, created_at, updated_at)
        VALUES ('c1', 'space', 's3_compatible', 'http://127.0.0.1:1', 'nyc3', 'b', 5368709120, 'K', 1, 1);
      INSERT INTO uploads (id, connection_id, source_path, size, mtime_ms, fingerprint, object_key, content_type, category, visibility, status, method, attempts, retry_after, created_at, updated_at)
        VALUES ('u1', 'c1', '/a.pdf', 10, 1, 'f', 'books/content/a.pdf', 'application/pdf', 'manuscript', 'private', 'waiting', 'single', 3, 99, 1, 1);
    `);
    old.$client.close();

    const migrated = openLedger(join(dir, 'data'), migrationsDir);
    expect(migrated.$client.prepare('SELECT status, attempts, retry_after AS retryAfter, wait_count AS waits, change_count AS changes FROM uploads').all()).toEqual([
      { status: 'waiting', attempts: 3, retryAfter: 99, waits: 0, changes: 0 },
    ]);
    migrated.$client.close();
  });

  it('0004_upload_notice leaves existing uploads without a notice, and keeps them as they were', () => {
    const dir = tempDir('migrate4');
    const before = join(dir, 'migrations-0003');
    mkdirSync(join(before, 'meta'), { recursive: true });
    const journal = JSON.parse(readFileSync(join(migrationsDir, 'meta', '_journal.json'), 'utf8'));
    const entries = journal.entries.slice(0, 4) as { tag: string }[];
    for (const entry of entries) cpSync(join(migrationsDir, `${entry.tag}.sql`), join(before, `${entry.tag}.sql`));
    writeFileSync(join(before, 'meta', '_journal.json'), JSON.stringify({ ...journal, entries }));
    const old = openLedger(join(dir, 'data'), before);
    old.$client.exec(`
      INSERT INTO connections (id, name, provider, endpoint, region, bucket, max_file_size, access_key_id, created_at, updated_at)
        VALUES ('c1', 'space', 's3_compatible', 'http://127.0.0.1:1', 'nyc3', 'b', 5368709120, 'K', 1, 1);
      INSERT INTO uploads (id, connection_id, source_path, size, mtime_ms, fingerprint, object_key, content_type, category, visibility, status, method, bytes_done, created_at, updated_at)
        VALUES ('u1', 'c1', '/a.wav', 10, 1, 'f', 'audiobooks/chapters/a.wav', 'audio/wav', 'audiobook', 'private', 'paused', 'multipart', 4, 1, 1);
    `);
    old.$client.close();

    const migrated = openLedger(join(dir, 'data'), migrationsDir);
    expect(migrated.$client.prepare('SELECT status, bytes_done AS done, notice FROM uploads').all()).toEqual([{ status: 'paused', done: 4, notice: null }]);
    migrated.$client.close();
  });

  it('0005_watch_folders: a watch folder needs its connection, and its files go with it', () => {
    const dir = tempDir('migrate5');
    const ledger = openLedger(join(dir, 'data'), migrationsDir);
    expect(() => ledger.$client.exec(`INSERT INTO watch_folders (id, path, connection_id, created_at, updated_at) VALUES ('w0', '/x', 'nobody', 1, 1)`)).toThrow(/FOREIGN KEY/);
    ledger.$client.exec(`
      INSERT INTO connections (id, name, provider, endpoint, region, bucket, max_file_size, access_key_id, created_at, updated_at)
        VALUES ('c1', 'space', 's3_compatible', 'http://127.0.0.1:1', 'nyc3', 'b', 5368709120, 'K', 1, 1);
      INSERT INTO watch_folders (id, path, connection_id, created_at, updated_at) VALUES ('w1', '/books', 'c1', 1, 1);
      INSERT INTO watched_files (folder_id, relative_path, size, mtime_ms, state, updated_at) VALUES ('w1', 'ch1.pdf', 3, 1, 'synced', 1);
      DELETE FROM watch_folders WHERE id = 'w1';
    `);
    expect(ledger.$client.prepare('SELECT count(*) AS n FROM watched_files').get()).toEqual({ n: 0 });
    ledger.$client.close();
  });

  it('0006_image_sets: uploads queued before it owe no image set, and a set goes with its upload', () => {
    const dir = tempDir('migrate6');
    const old = openLedger(join(dir, 'data'), migrationsBefore(dir, '0006_image_sets'));
    old.$client.exec(`
      INSERT INTO connections (id, name, provider, endpoint, region, bucket, max_file_size, access_key_id, created_at, updated_at)
        VALUES ('c1', 'space', 's3_compatible', 'http://127.0.0.1:1', 'nyc3', 'b', 5368709120, 'K', 1, 1);
      INSERT INTO uploads (id, connection_id, source_path, size, mtime_ms, fingerprint, object_key, content_type, category, visibility, status, method, created_at, updated_at)
        VALUES ('u1', 'c1', '/cover.jpg', 10, 1, 'f', 'books/covers/cover.jpg', 'image/jpeg', 'cover', 'private', 'queued', 'single', 1, 1);
    `);
    old.$client.close();

    const migrated = openLedger(join(dir, 'data'), migrationsDir);
    // Queued before images were prepared: it goes as it is, as it would have.
    expect(migrated.$client.prepare('SELECT status, optimize, image_set_id AS setId FROM uploads').all()).toEqual([{ status: 'queued', optimize: null, setId: null }]);
    migrated.$client.exec(`
      INSERT INTO image_sets (id, source_path, source_sha256, preset, format, width, height, dominant_color, bytes_before, bytes_after, variant_count, original_kept, cache_hit, prepared_at)
        VALUES ('u1', '/cover.jpg', 'abc', 'print-cover', 'webp', 10, 10, '#000000', 10, 5, 2, 1, 0, 1);
      DELETE FROM uploads WHERE id = 'u1';
    `);
    expect(migrated.$client.prepare('SELECT count(*) AS n FROM image_sets').get()).toEqual({ n: 0 });
    migrated.$client.close();
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
