import { sep } from 'node:path';
import { and, asc, count, eq, inArray, isNotNull, isNull, lte, notInArray, or, sql, type SQL } from 'drizzle-orm';
import { enteredFrom, inFlightStatuses, unfinishedStatuses, type UploadStatus } from '../../../shared/uploadStatus';
import type { Category } from '../../../shared/layout';
import type { Ledger } from '../ledger/database';
import { imageSets, multipartParts, multipartSessions, operations, uploads, type MultipartPartRow, type MultipartSessionRow, type UploadRow } from '../ledger/schema';
import type { UploadSummary } from '../../../shared/upload';
import { toUploadSummary } from './uploadSummary';

/** The error code of uploads that wait for their endpoint to answer again. */
export const OFFLINE_ERROR_CODE = 'endpoint_unreachable';

export type NewUpload = Omit<
  UploadRow,
  'sha256' | 'etag' | 'bytesDone' | 'attempts' | 'waitCount' | 'changeCount' | 'retryAfter' | 'errorCode' | 'errorMessage' | 'errorRetryable' | 'verifiedAt' | 'updatedAt' | 'notice' | 'resumes' | 'bytesResumed' | 'firstRequestAt'
>;

/** What a page of the queue is filtered by (see the contract's uploads.list). */
export interface UploadFilter {
  statuses?: readonly UploadStatus[];
  connectionId?: string;
  category?: Category;
  text?: string;
}

/** The columns a new row is written with; the rest take their defaults. */
const INSERT_COLUMNS = ['id', 'connectionId', 'sourcePath', 'size', 'mtimeMs', 'fingerprint', 'objectKey', 'contentType', 'category', 'visibility', 'onConflict', 'status', 'method', 'optimize', 'imageSetId', 'variant', 'originPath', 'metadata', 'createdAt', 'updatedAt'] as const;
// A field added to NewUpload but not to INSERT_COLUMNS would silently not be written: this fails to compile instead.
const everyFieldWritten: [Exclude<keyof NewUpload, (typeof INSERT_COLUMNS)[number]>] extends [never] ? true : never = true;
void everyFieldWritten;

/**
 * The write points of the upload state machine. Each method is one small transaction, written
 * before the step it records is treated as done. Every status change goes through `move` (or
 * its prepared twins for the per-file hot path), which refuses a move the state machine does
 * not list (src/shared/uploadStatus.ts): a job's late step can never write over a pause or a
 * cancel the author made meanwhile, from this process or another.
 */
export class UploadRepository {
  // What the queue asks and writes for every file, built and compiled once: drizzle's query
  // building costs more than SQLite's work for these one-row statements.
  private readonly byId;
  private readonly statusById;
  private readonly insertOne;
  private readonly verifiedOne;
  private readonly uploadingOne;
  private readonly imageSetById;

  constructor(private readonly db: Ledger) {
    const id = sql.placeholder('id');
    this.byId = db.select().from(uploads).where(eq(uploads.id, id)).prepare();
    this.imageSetById = db.select().from(imageSets).where(eq(imageSets.id, id)).prepare();
    this.statusById = db.select({ status: uploads.status }).from(uploads).where(eq(uploads.id, id)).prepare();
    this.insertOne = db
      .insert(uploads)
      .values(Object.fromEntries(INSERT_COLUMNS.map((column) => [column, sql.placeholder(column)])) as unknown as typeof uploads.$inferInsert)
      .prepare();
    this.verifiedOne = db
      .update(uploads)
      .set({
        status: 'verified',
        objectKey: sql.placeholder('objectKey') as unknown as string,
        etag: sql.placeholder('etag') as unknown as string,
        sha256: sql`coalesce(${sql.placeholder('sha256')}, ${uploads.sha256})`,
        bytesDone: sql.placeholder('size') as unknown as number,
        verifiedAt: sql.placeholder('now') as unknown as number,
        updatedAt: sql.placeholder('now') as unknown as number,
        retryAfter: null,
        errorCode: null,
        errorMessage: null,
        errorRetryable: null,
      })
      .where(and(eq(uploads.id, id), inArray(uploads.status, [...enteredFrom.verified])))
      .prepare();
    this.uploadingOne = db
      .update(uploads)
      .set({ status: 'uploading', updatedAt: sql.placeholder('now') as unknown as number, retryAfter: null, errorCode: null, errorMessage: null, errorRetryable: null })
      .where(and(eq(uploads.id, id), inArray(uploads.status, [...enteredFrom.uploading])))
      .prepare();
  }

  /** Many rows, one commit: all of them are queued, or (the disk full, say) none. */
  insertAll(rows: NewUpload[]): void {
    this.db.transaction(() => {
      for (const upload of rows) this.insertOne.run({ ...upload, updatedAt: upload.createdAt });
    });
  }

  /** The bucket holds exactly the file (checked by the caller): a fact, even if a pause came meanwhile. */
  markVerified(id: string, result: { objectKey: string; etag: string; size: number; sha256: string | null }): boolean {
    return this.verifiedOne.run({ id, ...result, now: Date.now() }).changes > 0;
  }

  /** A small file's one request is on its way (prepared: a thousand covers write this a thousand times). */
  markUploading(id: string): boolean {
    return this.uploadingOne.run({ id, now: Date.now() }).changes > 0;
  }

  /**
   * The one way a row's status changes: only from a status the state machine allows, so the
   * answer says whether it moved. `extra` columns are written with it, in the same statement.
   */
  move(id: string, to: Exclude<UploadStatus, 'verified'>, extra: Partial<UploadRow> = {}): boolean {
    return this.db
      .update(uploads)
      .set({ ...extra, status: to, updatedAt: Date.now() })
      .where(and(eq(uploads.id, id), inArray(uploads.status, [...enteredFrom[to]])))
      .run().changes > 0;
  }

  /** `move` for many rows (or every row) at once; returns the ids that moved. */
  moveMany(ids: string[] | 'all', to: Exclude<UploadStatus, 'verified'>, extra: Partial<UploadRow> = {}, onlyFrom: readonly UploadStatus[] = enteredFrom[to]): string[] {
    const from = onlyFrom.filter((status) => enteredFrom[to].includes(status));
    const scope = ids === 'all' ? inArray(uploads.status, from) : and(inArray(uploads.id, ids), inArray(uploads.status, from));
    return this.db
      .update(uploads)
      .set({ ...extra, status: to, updatedAt: Date.now() })
      .where(scope)
      .returning({ id: uploads.id })
      .all()
      .map((row) => row.id);
  }

  get(id: string): UploadRow | null {
    return this.byId.get({ id }) ?? null;
  }

  /** The row as hosts show it, with the image set made of its file when it is a set's own row. */
  summarize(row: UploadRow): UploadSummary {
    return toUploadSummary(row, row.imageSetId === row.id ? (this.imageSetById.get({ id: row.id }) ?? null) : null);
  }

  summary(id: string): UploadSummary | null {
    const row = this.get(id);
    return row ? this.summarize(row) : null;
  }

  /** One page of the queue, oldest first (the order the queue works in), and how many match in all. */
  page(filter: UploadFilter, offset: number, limit: number): { rows: UploadRow[]; total: number } {
    const where = this.filterOf(filter);
    const rows = this.db.select().from(uploads).where(where).orderBy(asc(uploads.createdAt), sql`rowid`).limit(limit).offset(offset).all();
    const total = this.db.select({ n: count() }).from(uploads).where(where).get()?.n ?? 0;
    return { rows, total };
  }

  private filterOf(filter: UploadFilter): SQL | undefined {
    const conditions: (SQL | undefined)[] = [];
    if (filter.statuses && filter.statuses.length > 0) conditions.push(inArray(uploads.status, [...filter.statuses]));
    if (filter.connectionId) conditions.push(eq(uploads.connectionId, filter.connectionId));
    if (filter.category) conditions.push(eq(uploads.category, filter.category));
    if (filter.text) {
      // LIKE's own wildcards in what the author typed are matched as themselves.
      const pattern = `%${filter.text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      conditions.push(sql`(lower(${uploads.sourcePath}) LIKE ${pattern} ESCAPE '\\' OR lower(${uploads.objectKey}) LIKE ${pattern} ESCAPE '\\')`);
    }
    return and(...conditions);
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
      .where(and(eq(uploads.connectionId, connectionId), eq(uploads.objectKey, objectKey), inArray(uploads.status, [...unfinishedStatuses]), sql`${uploads.id} != ${exceptId}`))
      .get();
    return row !== undefined;
  }

  /**
   * The next jobs to run, oldest first: queued, or waiting whose retry time has come, skipping
   * connections known to be offline. Two index walks (status, created_at) rather than one OR,
   * which SQLite would answer by scanning every row, for every file.
   */
  runnable(now: number, limit: number, excludeConnectionIds: string[]): UploadRow[] {
    // A file that still owes its image set is the image preparer's until the set is made.
    const elsewhere = and(notInArray(uploads.connectionId, excludeConnectionIds), isNull(uploads.optimize));
    const queued = this.db.select().from(uploads).where(and(eq(uploads.status, 'queued'), elsewhere)).orderBy(asc(uploads.createdAt)).limit(limit).all();
    const due = this.db
      .select()
      .from(uploads)
      .where(and(eq(uploads.status, 'waiting'), or(isNull(uploads.retryAfter), lte(uploads.retryAfter, now)), elsewhere))
      .orderBy(asc(uploads.createdAt))
      .limit(limit)
      .all();
    return [...queued, ...due].sort((a, b) => a.createdAt - b.createdAt).slice(0, limit);
  }

  /** How many uploads are queued or waiting. */
  pendingCount(): number {
    return this.db.select({ n: count() }).from(uploads).where(inArray(uploads.status, ['queued', 'waiting'])).get()?.n ?? 0;
  }

  statusesOf(ids: string[]): Map<string, UploadStatus> {
    return new Map(this.db.select({ id: uploads.id, status: uploads.status }).from(uploads).where(inArray(uploads.id, ids)).all().map((row) => [row.id, row.status]));
  }

  statusOf(id: string): UploadStatus | null {
    return this.statusById.get({ id })?.status ?? null;
  }

  /** At start-up: a row left "in flight" by a process that died is simply runnable again. */
  requeueInterrupted(): string[] {
    return this.moveMany('all', 'queued', {}, inFlightStatuses);
  }

  /** The author pauses: the server upload and every finished part are kept. Returns the ids paused. */
  pause(ids: string[] | 'all'): string[] {
    return this.moveMany(ids, 'paused', { retryAfter: null });
  }

  /** Paused (and failed, which is a retry) uploads run again, with their limits counted afresh. */
  resume(ids: string[] | 'all'): string[] {
    return this.moveMany(ids, 'queued', { retryAfter: null, waitCount: 0, changeCount: 0, errorCode: null, errorMessage: null, errorRetryable: null }, ['paused', 'failed']);
  }

  /** Whether this upload's file went up with a web set (it is the set's own row). */
  hasImageSet(uploadId: string | null): boolean {
    return uploadId !== null && this.get(uploadId)?.imageSetId === uploadId;
  }

  /** The objects of an image's web set other than its own row's, as verified: what goes with it when it is deleted. */
  verifiedSetMembers(setId: string): { objectKey: string; etag: string | null }[] {
    return this.db
      .select({ objectKey: uploads.objectKey, etag: uploads.etag })
      .from(uploads)
      .where(and(eq(uploads.imageSetId, setId), sql`${uploads.id} != ${setId}`, eq(uploads.status, 'verified')))
      .all();
  }

  /** These rows no longer owe an image set: they upload the file as it is. Returns the ids that owed one. */
  dropPrepareStage(ids: string[] | 'all'): string[] {
    const owing = and(isNotNull(uploads.optimize), inArray(uploads.status, [...unfinishedStatuses, 'failed']));
    return this.db
      .update(uploads)
      .set({ optimize: null, updatedAt: Date.now() })
      .where(ids === 'all' ? owing : and(inArray(uploads.id, ids), owing))
      .returning({ id: uploads.id })
      .all()
      .map((row) => row.id);
  }

  /** Cancelled for good; the server upload is aborted separately (see cancelledSessions). */
  cancel(ids: string[] | 'all'): string[] {
    return this.moveMany(ids, 'cancelled', { retryAfter: null });
  }

  /** Sessions of cancelled uploads whose server upload still has to be aborted. */
  cancelledSessions(): MultipartSessionRow[] {
    return this.db
      .select({ session: multipartSessions })
      .from(multipartSessions)
      .innerJoin(uploads, eq(uploads.id, multipartSessions.uploadId))
      .where(and(eq(multipartSessions.status, 'active'), eq(uploads.status, 'cancelled')))
      .all()
      .map((row) => row.session);
  }

  /** Uploads waiting on an offline endpoint: when it answers again they go at once... */
  wakeOffline(connectionId: string, now: number): void {
    this.db.update(uploads).set({ retryAfter: now }).where(this.offlineRows(connectionId)).run();
  }

  /** ...and while it does not, they show when the next probe is. */
  postponeOffline(connectionId: string, retryAfter: number): void {
    this.db.update(uploads).set({ retryAfter }).where(this.offlineRows(connectionId)).run();
  }

  private offlineRows(connectionId: string) {
    return and(eq(uploads.connectionId, connectionId), eq(uploads.status, 'waiting'), eq(uploads.errorCode, OFFLINE_ERROR_CODE));
  }

  /** Keys this ledger has used on a connection: their top folders are Quire's prefixes there. */
  objectKeys(connectionId: string): string[] {
    return this.db.selectDistinct({ key: uploads.objectKey }).from(uploads).where(eq(uploads.connectionId, connectionId)).all().map((row) => row.key);
  }

  connectionIdsWithWork(): string[] {
    return this.db.selectDistinct({ id: uploads.connectionId }).from(uploads).where(inArray(uploads.status, ['queued', 'waiting'])).all().map((row) => row.id);
  }

  /** Counts a retried request, so the author (and the fault tests) can see retries happened. */
  countAttempt(id: string): void {
    this.db.update(uploads).set({ attempts: sql`${uploads.attempts} + 1`, updatedAt: Date.now() }).where(eq(uploads.id, id)).run();
  }

  /** Columns other than the status (which only `move` changes). */
  update(id: string, values: Partial<Omit<UploadRow, 'status'>>): void {
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

  /** The upload's multipart session: the open one, else the last one it had. */
  latestSession(uploadId: string): MultipartSessionRow | null {
    return this.db.select().from(multipartSessions).where(eq(multipartSessions.uploadId, uploadId)).orderBy(sql`${multipartSessions.status} = 'active' DESC`, sql`${multipartSessions.createdAt} DESC`).get() ?? null;
  }

  /** The S3 requests made for one upload, newest first. */
  operationsFor(uploadId: string, limit: number): (typeof operations.$inferSelect)[] {
    return this.db.select().from(operations).where(eq(operations.uploadId, uploadId)).orderBy(sql`${operations.startedAt} DESC`, sql`${operations.id} DESC`).limit(limit).all();
  }

  idsWithStatus(statuses: readonly UploadStatus[]): string[] {
    return this.db.select({ id: uploads.id }).from(uploads).where(inArray(uploads.status, [...statuses])).orderBy(asc(uploads.createdAt)).all().map((row) => row.id);
  }

  /** Whether an upload that may still read its file (unfinished, or failed and retryable by the author) reads this one. */
  readsFile(path: string): boolean {
    return this.db.select({ id: uploads.id }).from(uploads).where(and(eq(uploads.sourcePath, path), inArray(uploads.status, [...unfinishedStatuses, 'failed']))).get() !== undefined;
  }

  /** Whether an upload that may still read its file (unfinished, or failed and retryable by the author) reads one under this folder. */
  readsFilesUnder(folder: string): boolean {
    const pattern = `${`${folder}${sep}`.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    return (
      this.db
        .select({ id: uploads.id })
        .from(uploads)
        .where(and(sql`${uploads.sourcePath} LIKE ${pattern} ESCAPE '\\'`, inArray(uploads.status, [...unfinishedStatuses, 'failed'])))
        .get() !== undefined
    );
  }

  bytesSentFor(uploadId: string): number {
    const row = this.db.select({ bytes: sql<number>`coalesce(sum(${operations.bytesSent}), 0)` }).from(operations).where(and(eq(operations.uploadId, uploadId), eq(operations.success, true))).get();
    return row?.bytes ?? 0;
  }
}
