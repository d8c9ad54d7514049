import type { OperationRecord } from '../s3/gateway';
import type { Ledger } from './database';
import { operations } from './schema';

/** How long a request's record may wait to be written with others. */
const FLUSH_AFTER_MS = 200;
/** Ten values a row: well under SQLite's limit of 32,766 bound values a statement. */
const ROWS_PER_INSERT = 500;

/**
 * The log of every S3 request (the platform specs' spaces_operations), written in batches: one
 * transaction per fifth of a second instead of one per request, which for small files was a
 * commit per file. It is a log for the author and for analytics, not a record resume depends
 * on, so the few entries a crash could lose cost nothing; and it must never fail an upload.
 */
export class OperationLog {
  private pending: OperationRecord[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly db: Ledger) {}

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
      // Multi-row inserts: one statement built per slice, not per request.
      this.db.transaction((tx) => {
        for (let at = 0; at < batch.length; at += ROWS_PER_INSERT) tx.insert(operations).values(batch.slice(at, at + ROWS_PER_INSERT)).run();
      });
    } catch {
      // A full disk stops the queue through the ledger's own writes, which say why.
    }
  }
}
