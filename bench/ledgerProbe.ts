import { join } from 'node:path';
import Database from 'better-sqlite3';

/**
 * The bench's look into a Quire data folder's ledger (SQLite, read with better-sqlite3 in the
 * bench's own Node 24; the sqlite3 command may not be installed). It reads what Quire recorded —
 * the requests it logged, when an upload was queued and verified, the state of watched files —
 * and is opened per question, so it never holds the ledger while Quire works.
 */
export class LedgerProbe {
  constructor(private readonly quireHome: string) {}

  private get path(): string {
    return join(this.quireHome, 'ledger.sqlite');
  }

  private read<T>(ask: (db: Database.Database) => T): T {
    const db = new Database(this.path, { fileMustExist: true });
    try {
      db.pragma('busy_timeout = 5000');
      return ask(db);
    } finally {
      db.close();
    }
  }

  /** Rows of the operations table: every S3 request Quire made from this data folder, one row each. */
  operationCount(): number {
    return this.read((db) => (db.prepare('SELECT count(*) AS n FROM operations').get() as { n: number }).n);
  }

  /** The requests logged after row `afterId`, by operation (e.g. { put: 10000, head: 1 }). */
  operationsSince(afterId: number): Record<string, number> {
    return this.read((db) => {
      const rows = db.prepare('SELECT operation, count(*) AS n FROM operations WHERE id > ? GROUP BY operation').all(afterId) as { operation: string; n: number }[];
      return Object.fromEntries(rows.map((row) => [row.operation, row.n]));
    });
  }

  lastOperationId(): number {
    return this.read((db) => (db.prepare('SELECT coalesce(max(id), 0) AS id FROM operations').get() as { id: number }).id);
  }

  /** The newest upload of this source file, with the times Quire recorded (ms since the epoch). */
  uploadOf(sourcePath: string): { status: string; createdAt: number; verifiedAt: number | null } | null {
    return this.read(
      (db) =>
        (db.prepare('SELECT status, created_at AS createdAt, verified_at AS verifiedAt FROM uploads WHERE source_path = ? ORDER BY created_at DESC LIMIT 1').get(sourcePath) as
          | { status: string; createdAt: number; verifiedAt: number | null }
          | undefined) ?? null,
    );
  }

  /** Uploads by status (e.g. { verified: 10000 }). */
  uploadsByStatus(): Record<string, number> {
    return this.read((db) => Object.fromEntries((db.prepare('SELECT status, count(*) AS n FROM uploads GROUP BY status').all() as { status: string; n: number }[]).map((row) => [row.status, row.n])));
  }

  /** Watched files by state (synced, pending, ignored, missing). */
  watchedFilesByState(): Record<string, number> {
    return this.read((db) => Object.fromEntries((db.prepare('SELECT state, count(*) AS n FROM watched_files GROUP BY state').all() as { state: string; n: number }[]).map((row) => [row.state, row.n])));
  }

  /** When the last full scan of any watch folder ended (null: none yet). */
  lastScanAt(): number | null {
    return this.read((db) => (db.prepare('SELECT max(last_scan_at) AS at FROM watch_folders').get() as { at: number | null }).at);
  }

  /**
   * Points the connection at another endpoint (the bench's counting proxy), so the requests of the
   * next runs can be counted on the wire, not only in Quire's own log. Only while no Quire runs
   * from this data folder; the connection's bucket and keys stay what `connect add` tested.
   */
  pointConnectionAt(name: string, endpoint: string): void {
    this.read((db) => {
      const changed = db.prepare('UPDATE connections SET endpoint = ? WHERE name = ?').run(endpoint, name).changes;
      if (changed !== 1) throw new Error(`no connection named ${name} in ${this.path}`);
    });
  }
}
