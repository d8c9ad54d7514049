import { join } from 'node:path';
import Database from 'better-sqlite3';

/**
 * Reads a ledger file directly, read-only: the test's own view of what was recorded, apart from
 * the engine's code (a CLI's ledger, or an in-process engine's while it runs: WAL allows both).
 */
export function openLedgerForReading(dataDir: string) {
  const db = new Database(join(dataDir, 'ledger.sqlite'), { readonly: true, fileMustExist: true });
  return {
    sessions: () => db.prepare('SELECT status FROM multipart_sessions ORDER BY created_at').all() as { status: string }[],
    uploads: () =>
      db.prepare('SELECT id, status, attempts, error_code AS errorCode, error_message AS errorMessage FROM uploads ORDER BY created_at').all() as {
        id: string;
        status: string;
        attempts: number;
        errorCode: string | null;
        errorMessage: string | null;
      }[],
    failedOperations: () => (db.prepare('SELECT count(*) AS n FROM operations WHERE success = 0').get() as { n: number }).n,
    /** Failed requests by error code: the retries an author could look up. */
    failuresByCode: () =>
      Object.fromEntries(
        (db.prepare('SELECT coalesce(error_code, http_status) AS code, count(*) AS n FROM operations WHERE success = 0 GROUP BY 1').all() as { code: string; n: number }[]).map((r) => [
          String(r.code),
          r.n,
        ]),
      ) as Record<string, number>,
    /** Which connection each logged request went to (null: not recorded), with how many. */
    operationsByConnection: () =>
      Object.fromEntries((db.prepare('SELECT connection_id AS id, count(*) AS n FROM operations GROUP BY 1').all() as { id: string | null; n: number }[]).map((r) => [String(r.id), r.n])) as Record<
        string,
        number
      >,
    operationCount: (operation: string) => (db.prepare('SELECT count(*) AS n FROM operations WHERE operation = ?').get(operation) as { n: number }).n,
    /** The same, only requests made for queued files (not, say, a connection test's probe). */
    operationCountForUploads: (operation: string) => (db.prepare('SELECT count(*) AS n FROM operations WHERE operation = ? AND upload_id IS NOT NULL').get(operation) as { n: number }).n,
    /** Parts recorded for an upload's sessions that are still active. */
    recordedParts: (uploadId: string) =>
      (
        db
          .prepare("SELECT count(*) AS n FROM multipart_parts p JOIN multipart_sessions s ON s.id = p.session_id WHERE s.upload_id = ? AND s.status = 'active'")
          .get(uploadId) as { n: number }
      ).n,
    close: () => db.close(),
  };
}
