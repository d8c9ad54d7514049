import { sql } from 'drizzle-orm';
import type { OperationRecord } from '../s3/gateway';
import type { Ledger } from './database';
import { operations } from './schema';

/** How long a request's record may wait to be written with others. */
const FLUSH_AFTER_MS = 200;

/** The columns of a record, each bound to a placeholder of the same name. */
const RECORD_COLUMNS = ['connectionId', 'operation', 'objectKey', 'httpMethod', 'bytesSent', 'durationMs', 'httpStatus', 'success', 'errorCode', 'startedAt', 'uploadId'] as const satisfies readonly (keyof OperationRecord)[];
// A field added to OperationRecord but not to RECORD_COLUMNS would silently not be written: this fails to compile instead.
const everyFieldWritten: [Exclude<keyof OperationRecord, (typeof RECORD_COLUMNS)[number]>] extends [never] ? true : never = true;
void everyFieldWritten;

/**
 * The log of every S3 request (the platform specs' spaces_operations), written in batches: one
 * transaction per fifth of a second instead of one per request, which for small files was a
 * commit per file. It is a log for the author and for analytics, not a record resume depends
 * on, so the few entries a crash could lose cost nothing; and it must never fail an upload.
 */
export class OperationLog {
  private pending: OperationRecord[] = [];
  private timer: NodeJS.Timeout | null = null;
  // Built and compiled once: for a thousand small files, drizzle building the inserts cost more
  // than SQLite writing them.
  private readonly insertOne;

  constructor(private readonly db: Ledger) {
    this.insertOne = db
      .insert(operations)
      .values(Object.fromEntries(RECORD_COLUMNS.map((column) => [column, sql.placeholder(column)])) as unknown as typeof operations.$inferInsert)
      .prepare();
  }

  record(operation: OperationRecord): void {
    this.pending.push(operation);
    if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), FLUSH_AFTER_MS);
      this.timer.unref();
    }
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    try {
      this.db.transaction(() => {
        for (const operation of batch) this.insertOne.run({ ...operation });
      });
    } catch {
      // A full disk stops the queue through the ledger's own writes, which say why.
    }
  }
}
