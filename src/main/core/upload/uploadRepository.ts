import { and, asc, eq, inArray, isNull, lte, or, sql } from 'drizzle-orm';
import type { Ledger } from '../ledger/database';
import { multipartParts, multipartSessions, operations, uploads, type MultipartPartRow, type MultipartSessionRow, type UploadRow, type UploadStatus } from '../ledger/schema';

/** Statuses in which the queue still owes the author work. */
export const UNFINISHED_STATUSES: UploadStatus[] = ['queued', 'preparing', 'uploading', 'completing', 'waiting', 'paused'];
/** Statuses a process can only be in while it runs: after a crash they mean "was interrupted". */
const IN_FLIGHT_STATUSES: UploadStatus[] = ['preparing', 'uploading', 'completing'];

export type NewUpload = Omit<UploadRow, 'sha256' | 'etag' | 'bytesDone' | 'attempts' | 'retryAfter' | 'errorCode' | 'errorMessage' | 'errorRetryable' | 'verifiedAt' | 'updatedAt'>;

/**
 * The write points of the upload state machine (architecture.md). Each method is one small
 * transaction, written before the step it records is treated as done.
 */
export class UploadRepository {
  constructor(private readonly db: Ledger) {}

  insert(upload: NewUpload): void {
    this.db.insert(uploads).values({ ...upload, updatedAt: upload.createdAt }).run();
  }

  get(id: string): UploadRow | null {
    return this.db.select().from(uploads).where(eq(uploads.id, id)).get() ?? null;
  }

  list(): UploadRow[] {
    return this.db.select().from(uploads).orderBy(asc(uploads.createdAt)).all();
  }

  findByKeyPrefix(id: string): UploadRow[] {
    return this.db.select().from(uploads).where(sql`${uploads.id} LIKE ${`${id}%`}`).all();
  }

  findVerifiedByKey(connectionId: string, objectKey: string): UploadRow | null {
    return this.db.select().from(uploads).where(and(eq(uploads.connectionId, connectionId), eq(uploads.objectKey, objectKey), eq(uploads.status, 'verified'))).orderBy(sql`${uploads.verifiedAt} DESC`).get() ?? null;
  }

  /** Unfinished uploads of one connection that another job already targets with this key. */
  keyTakenByAnotherJob(connectionId: string, objectKey: string, exceptId: string): boolean {
    const row = this.db
      .select({ id: uploads.id })
      .from(uploads)
      .where(and(eq(uploads.connectionId, connectionId), eq(uploads.objectKey, objectKey), inArray(uploads.status, UNFINISHED_STATUSES), sql`${uploads.id} != ${exceptId}`))
      .get();
    return row !== undefined;
  }

  hasUnfinished(connectionId: string): boolean {
    return this.db.select({ id: uploads.id }).from(uploads).where(and(eq(uploads.connectionId, connectionId), inArray(uploads.status, UNFINISHED_STATUSES))).get() !== undefined;
  }

  /** The next job to run: queued, or waiting whose retry time has come; oldest first. */
  nextRunnable(now: number, excludeIds: string[]): UploadRow | null {
    const ready = or(eq(uploads.status, 'queued'), and(eq(uploads.status, 'waiting'), or(isNull(uploads.retryAfter), lte(uploads.retryAfter, now))));
    const rows = this.db.select().from(uploads).where(ready).orderBy(asc(uploads.createdAt)).limit(excludeIds.length + 1).all();
    return rows.find((row) => !excludeIds.includes(row.id)) ?? null;
  }

  earliestRetry(): number | null {
    const row = this.db.select({ at: sql<number | null>`min(${uploads.retryAfter})` }).from(uploads).where(eq(uploads.status, 'waiting')).get();
    return row?.at ?? null;
  }

  /** At start-up: a row left "in flight" by a process that died is simply runnable again. */
  requeueInterrupted(): number {
    return this.db.update(uploads).set({ status: 'queued', updatedAt: Date.now() }).where(inArray(uploads.status, IN_FLIGHT_STATUSES)).run().changes;
  }

  setStatus(id: string, status: UploadStatus, extra: Partial<UploadRow> = {}): void {
    this.db.update(uploads).set({ ...extra, status, updatedAt: Date.now() }).where(eq(uploads.id, id)).run();
  }

  /** Counts a retried request, so the author (and the fault tests) can see retries happened. */
  countAttempt(id: string): void {
    this.db.update(uploads).set({ attempts: sql`${uploads.attempts} + 1`, updatedAt: Date.now() }).where(eq(uploads.id, id)).run();
  }

  update(id: string, values: Partial<UploadRow>): void {
    this.db.update(uploads).set({ ...values, updatedAt: Date.now() }).where(eq(uploads.id, id)).run();
  }

  activeSession(uploadId: string): MultipartSessionRow | null {
    return this.db.select().from(multipartSessions).where(and(eq(multipartSessions.uploadId, uploadId), eq(multipartSessions.status, 'active'))).get() ?? null;
  }

  insertSession(session: MultipartSessionRow): void {
    this.db.insert(multipartSessions).values(session).run();
  }

  endSession(sessionId: string, status: 'completed' | 'aborted'): void {
    this.db.update(multipartSessions).set({ status, endedAt: Date.now() }).where(eq(multipartSessions.id, sessionId)).run();
  }

  parts(sessionId: string): MultipartPartRow[] {
    return this.db.select().from(multipartParts).where(eq(multipartParts.sessionId, sessionId)).orderBy(asc(multipartParts.partNumber)).all();
  }

  recordPart(part: MultipartPartRow): void {
    this.db.insert(multipartParts).values(part).onConflictDoUpdate({ target: [multipartParts.sessionId, multipartParts.partNumber], set: { etag: part.etag, size: part.size, md5: part.md5, uploadedAt: part.uploadedAt } }).run();
  }

  dropParts(sessionId: string, partNumbers: number[]): void {
    if (partNumbers.length === 0) return;
    this.db.delete(multipartParts).where(and(eq(multipartParts.sessionId, sessionId), inArray(multipartParts.partNumber, partNumbers))).run();
  }

  /** Every S3 UploadId the ledger still owns: the janitor never touches these. */
  ownedActiveS3UploadIds(): Set<string> {
    return new Set(this.db.select({ id: multipartSessions.s3UploadId }).from(multipartSessions).where(eq(multipartSessions.status, 'active')).all().map((row) => row.id));
  }

  bytesSentFor(uploadId: string): number {
    const row = this.db.select({ bytes: sql<number>`coalesce(sum(${operations.bytesSent}), 0)` }).from(operations).where(and(eq(operations.uploadId, uploadId), eq(operations.success, true))).get();
    return row?.bytes ?? 0;
  }
}
