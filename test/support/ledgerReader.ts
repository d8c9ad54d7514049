import { join } from 'node:path';
import Database from 'better-sqlite3';

/** Reads a CLI's ledger file directly, read-only: the test's own view of what was recorded. */
export function openLedgerForReading(dataDir: string) {
  const db = new Database(join(dataDir, 'ledger.sqlite'), { readonly: true, fileMustExist: true });
  return {
    sessions: () => db.prepare('SELECT status FROM multipart_sessions ORDER BY created_at').all() as { status: string }[],
    uploads: () => db.prepare('SELECT id, status, attempts, error_code AS errorCode, error_message AS errorMessage FROM uploads ORDER BY created_at').all() as {
      id: string;
      status: string;
      attempts: number;
      errorCode: string | null;
      errorMessage: string | null;
    }[],
    failedOperations: () => (db.prepare('SELECT count(*) AS n FROM operations WHERE success = 0').get() as { n: number }).n,
    close: () => db.close(),
  };
}
