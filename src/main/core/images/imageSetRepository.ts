import { randomUUID } from 'node:crypto';
import { and, asc, eq, inArray, isNotNull, isNull, lte, or } from 'drizzle-orm';
import { variantKey, type ImageFormat, type ImagePresetName } from '../../../shared/images';
import type { Ledger } from '../ledger/database';
import { imageSets, uploads, type ImageSetRow, type UploadRow } from '../ledger/schema';
import type { FileIdentity } from '../upload/fingerprint';
import type { NewUpload, UploadRepository } from '../upload/uploadRepository';
import type { PreparedOutput, PreparedSet } from './imageJob';

/** A prepared output with the identity the transfer checks it against (it is a file like any other). */
export interface VariantFile extends PreparedOutput {
  identity: FileIdentity;
}

export interface RecordOptions {
  preset: ImagePresetName;
  format: ImageFormat;
  keepOriginal: boolean;
  /** The original's key under the name the whole set goes by (see setName.ts); each variant's is made from it. */
  baseKey: string;
  /** Keys the set's earlier version wrote: its new objects there replace them (see setName.ts). */
  replaceable: ReadonlyMap<string, string | null>;
  multipartThreshold: number;
  now: number;
}

export interface RecordedSet {
  /** The new variant rows, queued. */
  variantIds: string[];
}

/**
 * The ledger side of the prepare stage: which rows still owe their image set, and the one
 * transaction that records a set: the image_sets row, one queued upload per variant (linked to
 * the author's row) and the author's row made runnable. Written all at once or not at all, so a
 * crash midway leaves the row owing its set, and the next start prepares it again (from the cache).
 */
export class ImageSetRepository {
  constructor(
    private readonly db: Ledger,
    private readonly uploadRows: UploadRepository,
  ) {}

  /** Rows that owe their set and may be prepared now (queued, or waiting whose time has come), oldest first. */
  owed(now: number, limit: number): UploadRow[] {
    return this.db
      .select()
      .from(uploads)
      .where(and(isNotNull(uploads.optimize), or(eq(uploads.status, 'queued'), and(eq(uploads.status, 'waiting'), or(isNull(uploads.retryAfter), lte(uploads.retryAfter, now))))))
      .orderBy(asc(uploads.createdAt))
      .limit(limit)
      .all();
  }

  get(id: string): ImageSetRow | null {
    return this.db.select().from(imageSets).where(eq(imageSets.id, id)).get() ?? null;
  }

  /** Every row of the sets with these ids (the author's rows and their variants). */
  membersOf(setIds: string[]): string[] {
    if (setIds.length === 0) return [];
    return this.db.select({ id: uploads.id }).from(uploads).where(inArray(uploads.imageSetId, setIds)).all().map((row) => row.id);
  }

  /**
   * Records a prepared set for `row` (which must still be `preparing`: a pause or a cancel that
   * came meanwhile wins, and nothing is written). With the original kept, the author's row goes on
   * to upload the file itself; without, it becomes the upload of the largest variant.
   */
  record(row: UploadRow, set: PreparedSet, variants: VariantFile[], options: RecordOptions): RecordedSet | null {
    return this.db.transaction(() => {
      const now = this.uploadRows.get(row.id);
      if (now?.status !== 'preparing' || now.optimize === null) return null;
      const bytesAfter = variants.reduce((sum, variant) => sum + variant.size, 0);
      this.db
        .insert(imageSets)
        .values({
          id: row.id,
          sourcePath: row.sourcePath,
          sourceSha256: set.sourceSha256,
          preset: options.preset,
          format: options.format,
          width: set.source.width,
          height: set.source.height,
          dominantColor: set.dominantColor,
          bytesBefore: set.sourceSize,
          bytesAfter,
          variantCount: variants.length,
          originalKept: options.keepOriginal,
          cacheHit: set.cacheHit,
          notices: JSON.stringify(set.notices),
          preparedAt: options.now,
        })
        .run();

      // The largest variant stands in for the original when the original is not uploaded.
      const standIn = options.keepOriginal ? null : variants.reduce((largest, variant) => (variant.width > largest.width ? variant : largest));
      const newRows: NewUpload[] = variants
        .filter((variant) => variant !== standIn)
        .map((variant) => ({ ...this.variantRow(row, set, variant, options), id: randomUUID() }));
      this.uploadRows.insertAll(newRows);

      const own = standIn
        ? withoutStatus(this.variantRow(row, set, standIn, options))
        : { objectKey: options.baseKey, variant: 'original', metadata: JSON.stringify(metadataOf(set, { width: set.source.width, height: set.source.height }, 'original')) };
      this.uploadRows.update(row.id, { ...own, optimize: null, imageSetId: row.id });
      this.uploadRows.move(row.id, 'queued');
      return { variantIds: newRows.map((variant) => variant.id) };
    });
  }

  /**
   * The author's file changed after its set was made from it, before it went up: the set is given
   * up (its sizes not yet sent are cancelled; those already in the bucket stay, as any sent file
   * does) and the row owes a new one, made once the file has been left alone. Returns the rows
   * changed; none when the row is not a kept original with a set.
   */
  reopen(row: UploadRow): string[] {
    if (row.imageSetId !== row.id || row.variant !== 'original') return [];
    return this.db.transaction(() => {
      const set = this.get(row.id);
      if (!set) return [];
      const members = this.membersOf([row.id]).filter((id) => id !== row.id);
      const cancelled = this.uploadRows.cancel(members);
      this.db.delete(imageSets).where(eq(imageSets.id, row.id)).run();
      this.uploadRows.update(row.id, { optimize: set.preset, imageSetId: null, variant: null, metadata: null });
      return [row.id, ...cancelled];
    });
  }

  /** One variant as an upload: the cached file is what it sends; the author's file is where it came from. */
  private variantRow(row: UploadRow, set: PreparedSet, variant: VariantFile, options: RecordOptions): Omit<NewUpload, 'id'> {
    const objectKey = variantKey(options.baseKey, variant.variant, options.format);
    return {
      connectionId: row.connectionId,
      sourcePath: variant.path,
      size: variant.identity.size,
      mtimeMs: variant.identity.mtimeMs,
      fingerprint: variant.identity.fingerprint,
      objectKey,
      contentType: variant.contentType,
      category: row.category,
      visibility: row.visibility,
      onConflict: options.replaceable.has(objectKey) ? 'overwrite' : row.onConflict,
      status: 'queued',
      method: variant.identity.size > options.multipartThreshold ? 'multipart' : 'single',
      optimize: null,
      imageSetId: row.id,
      variant: variant.variant,
      originPath: row.originPath ?? row.sourcePath,
      metadata: JSON.stringify(metadataOf(set, variant, variant.variant)),
      // The set goes right behind its original: rows of equal time run in the order they were written.
      createdAt: row.createdAt,
    };
  }
}

function withoutStatus<T extends { status: unknown }>(values: T): Omit<T, 'status'> {
  const { status: _status, ...rest } = values;
  return rest;
}

/** What every object of a set says about itself (x-amz-meta-*): ASCII names and values. */
function metadataOf(set: PreparedSet, size: { width: number; height: number }, variant: string): Record<string, string> {
  return {
    width: String(size.width),
    height: String(size.height),
    'source-sha256': set.sourceSha256,
    'dominant-color': set.dominantColor,
    variant,
  };
}
