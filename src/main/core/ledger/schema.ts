import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { imageFormats, imagePresetNames } from '../../../shared/images';
import { uploadStatuses, type UploadStatus } from '../../../shared/uploadStatus';

/*
 * The local ledger: the durable record that makes resume possible. Its shape follows the platform
 * specs (storage_providers, file_storage, multipart_uploads, upload_chunks, spaces_operations),
 * reduced to what a single author's machine needs. Secrets are never stored here: a connection's
 * secret access key lives in the OS keychain only.
 * Times are Unix milliseconds (integers) so that comparisons and sorting need no parsing.
 */

export const connections = sqliteTable('connections', {
  id: text('id').primaryKey(),
  name: text('name').notNull().unique(),
  provider: text('provider', { enum: ['digitalocean_spaces', 'aws_s3', 's3_compatible'] }).notNull(),
  endpoint: text('endpoint').notNull(),
  region: text('region').notNull(),
  bucket: text('bucket').notNull(),
  cdnBaseUrl: text('cdn_base_url'),
  pathStyle: integer('path_style', { mode: 'boolean' }).notNull().default(false),
  defaultVisibility: text('default_visibility', { enum: ['private', 'public-read'] }).notNull().default('private'),
  maxFileSize: integer('max_file_size').notNull(),
  /** JSON array of lower-case extensions without the dot; empty means every type is allowed. */
  allowedFileTypes: text('allowed_file_types').notNull().default('[]'),
  accessKeyId: text('access_key_id').notNull(),
  isDefault: integer('is_default', { mode: 'boolean' }).notNull().default(false),
  /** When the orphan janitor last listed this bucket's unfinished uploads (see janitor.ts). */
  orphansCheckedAt: integer('orphans_checked_at'),
  /** The author's quota for this bucket in bytes; null: the Spaces plan's 250 GiB. */
  quotaBytes: integer('quota_bytes'),
  /** JSON prices for the cost estimate (src/shared/usage.ts); null: Spaces' published prices. */
  prices: text('prices'),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
});


/** One row per file the author asked to upload: the job is the row: its status is the upload's place in the state machine (src/shared/uploadStatus.ts). */
export const uploads = sqliteTable(
  'uploads',
  {
    id: text('id').primaryKey(),
    connectionId: text('connection_id')
      .notNull()
      .references(() => connections.id),
    sourcePath: text('source_path').notNull(),
    size: integer('size').notNull(),
    mtimeMs: integer('mtime_ms').notNull(),
    /** Hash of size, mtime, head and tail: tells a changed file apart without reading it all. */
    fingerprint: text('fingerprint').notNull(),
    objectKey: text('object_key').notNull(),
    contentType: text('content_type').notNull(),
    category: text('category').notNull(),
    visibility: text('visibility', { enum: ['private', 'public-read'] }).notNull(),
    onConflict: text('on_conflict', { enum: ['keep-both', 'overwrite'] }).notNull().default('keep-both'),
    status: text('status', { enum: uploadStatuses }).notNull(),
    method: text('method', { enum: ['single', 'multipart'] }).notNull(),
    sha256: text('sha256'),
    etag: text('etag'),
    bytesDone: integer('bytes_done').notNull().default(0),
    /** Requests tried again within jobs: shown to the author, limits nothing. */
    attempts: integer('attempts').notNull().default(0),
    /** Jobs that ended in a retryable failure since the last success or resume; past a limit the upload fails. */
    waitCount: integer('wait_count').notNull().default(0),
    /** Times the file was found changed while Quire waited for it to be finished; past a limit it fails. */
    changeCount: integer('change_count').notNull().default(0),
    retryAfter: integer('retry_after'),
    errorCode: text('error_code'),
    errorMessage: text('error_message'),
    errorRetryable: integer('error_retryable', { mode: 'boolean' }),
    /** The last thing the author should know that is not a failure ("resumed at 63%"): kept, so a page opened later still says it. */
    notice: text('notice'),
    /** Times an interrupted upload picked up from parts already in the bucket, and the bytes those parts spared sending again (each time). */
    resumes: integer('resumes').notNull().default(0),
    bytesResumed: integer('bytes_resumed').notNull().default(0),
    /** The image preset whose set this file still owes (the prepare stage runs before its transfer); null once prepared, or for any other file. */
    optimize: text('optimize', { enum: imagePresetNames }),
    /** The image set this row belongs to: the id of the row of the author's own file (image_sets.id). */
    imageSetId: text('image_set_id'),
    /** Its place in the set: "original", a width slot ("480"...) or "thumb". */
    variant: text('variant'),
    /** The author's file this upload was made from, when what it sends is a prepared variant (the source path is then the cached variant). */
    originPath: text('origin_path'),
    /** JSON object of x-amz-meta-* the object is written with (a variant's width, height, source SHA-256, colour). */
    metadata: text('metadata'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
    verifiedAt: integer('verified_at'),
    /**
     * When Quire sent the first request for this file, copied from the operations log by the
     * analytics (src/main/core/analytics/firstRequests.ts) once the upload is verified, and before
     * its requests are rolled up: its throughput then needs no look-up per upload. Null: not copied yet.
     */
    firstRequestAt: integer('first_request_at'),
  },
  (table) => [
    index('uploads_status_idx').on(table.status, table.createdAt),
    index('uploads_image_set_idx').on(table.imageSetId),
    // The analytics (src/main/core/analytics/uploadFigures.ts): verified uploads by when, covering
    // the series per day and type and the throughput; every other status by its last change.
    index('uploads_verified_idx').on(table.status, table.verifiedAt, table.category, table.size, table.connectionId, table.createdAt, table.firstRequestAt),
    index('uploads_status_updated_idx').on(table.status, table.updatedAt, table.size, table.connectionId),
    index('uploads_resumed_idx')
      .on(table.status, table.verifiedAt, table.updatedAt, table.resumes, table.bytesResumed, table.connectionId)
      .where(sql`resumes > 0`),
  ],
);

/** The server's resume handle, recorded the moment CreateMultipartUpload returns. */
export const multipartSessions = sqliteTable(
  'multipart_sessions',
  {
    id: text('id').primaryKey(),
    uploadId: text('upload_id')
      .notNull()
      .references(() => uploads.id, { onDelete: 'cascade' }),
    s3UploadId: text('s3_upload_id').notNull(),
    objectKey: text('object_key').notNull(),
    partSize: integer('part_size').notNull(),
    partCount: integer('part_count').notNull(),
    status: text('status', { enum: ['active', 'completed', 'aborted'] }).notNull(),
    createdAt: integer('created_at').notNull(),
    endedAt: integer('ended_at'),
  },
  (table) => [uniqueIndex('multipart_sessions_s3_upload_id_idx').on(table.s3UploadId), index('multipart_sessions_upload_idx').on(table.uploadId)],
);

/**
 * A part counts as done only once its row exists: it is written when the part's ETag arrives,
 * with the MD5 computed as it was sent (the parts' MD5s make the object's expected ETag).
 */
export const multipartParts = sqliteTable(
  'multipart_parts',
  {
    sessionId: text('session_id')
      .notNull()
      .references(() => multipartSessions.id, { onDelete: 'cascade' }),
    partNumber: integer('part_number').notNull(),
    etag: text('etag').notNull(),
    size: integer('size').notNull(),
    md5: text('md5').notNull(),
    uploadedAt: integer('uploaded_at').notNull(),
  },
  (table) => [primaryKey({ columns: [table.sessionId, table.partNumber] })],
);

/** Every S3 request, as spaces_operations in the platform specs: the source of usage analytics. */
export const operations = sqliteTable(
  'operations',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    connectionId: text('connection_id'),
    uploadId: text('upload_id'),
    operation: text('operation').notNull(),
    objectKey: text('object_key'),
    httpMethod: text('http_method'),
    bytesSent: integer('bytes_sent').notNull().default(0),
    durationMs: integer('duration_ms').notNull(),
    httpStatus: integer('http_status'),
    success: integer('success', { mode: 'boolean' }).notNull(),
    errorCode: text('error_code'),
    startedAt: integer('started_at').notNull(),
  },
  (table) => [
    // With started_at: an upload's first request is one step (src/main/core/analytics/firstRequests.ts).
    index('operations_upload_idx').on(table.uploadId, table.startedAt),
    // With connection_id: one connection's requests are counted from the index alone.
    index('operations_started_idx').on(table.startedAt, table.connectionId),
    // The analytics (src/main/core/analytics/operationFigures.ts): failed requests by reason (in the
    // order they are grouped by, so a year's are counted without sorting), and the slowest.
    index('operations_failed_idx')
      .on(table.operation, table.errorCode, table.httpStatus, table.startedAt, table.connectionId)
      .where(sql`success = 0`),
    index('operations_duration_idx').on(table.durationMs, table.startedAt, table.connectionId),
  ],
);

/**
 * What a connection's bucket holds, per area of the layout (src/shared/usage.ts), as its last
 * complete scan found it: replaced as a whole when a scan ends. Quire's own uploads since are
 * added when the usage is read, so it stays current between scans.
 */
export const usageSnapshots = sqliteTable(
  'usage_snapshots',
  {
    connectionId: text('connection_id')
      .notNull()
      .references(() => connections.id, { onDelete: 'cascade' }),
    area: text('area').notNull(),
    objects: integer('objects').notNull(),
    bytes: integer('bytes').notNull(),
  },
  (table) => [primaryKey({ columns: [table.connectionId, table.area] })],
);

/** A connection's bucket scan: the last one, or the one under way (resumable from its units' pages). */
export const usageScans = sqliteTable('usage_scans', {
  connectionId: text('connection_id')
    .primaryKey()
    .references(() => connections.id, { onDelete: 'cascade' }),
  state: text('state', { enum: ['running', 'done', 'cancelled', 'failed'] }).notNull(),
  /** How the figures were had: listing every object, or the server's own bucket statistics. */
  method: text('method', { enum: ['listing', 'bucket-stats'] }).notNull(),
  /** The process scanning (same machine, same data folder): a scan whose process is gone was interrupted. */
  pid: integer('pid'),
  startedAt: integer('started_at').notNull(),
  /** When the snapshot was taken (the scan ended): uploads verified after it are added to it. */
  finishedAt: integer('finished_at'),
  updatedAt: integer('updated_at').notNull(),
  /** Unfinished multipart uploads in the bucket when the scan ended, and the bytes of their parts (Spaces bills them). */
  unfinishedUploads: integer('unfinished_uploads').notNull().default(0),
  unfinishedBytes: integer('unfinished_bytes').notNull().default(0),
  /**
   * With method 'bucket-stats': the objects and bytes the server counted when the scan began (its
   * unfinished uploads' parts taken out), exact at once while the listing counts the areas.
   */
  statsObjects: integer('stats_objects'),
  statsBytes: integer('stats_bytes'),
  error: text('error'),
});

/**
 * One unit of a scan under way (a top-level prefix of the bucket, listed page by page): where its
 * listing is, and what it counted so far per area (JSON), written after every page, so a scan cut
 * off by a kill goes on from its last page.
 */
export const usageScanUnits = sqliteTable(
  'usage_scan_units',
  {
    connectionId: text('connection_id')
      .notNull()
      .references(() => usageScans.connectionId, { onDelete: 'cascade' }),
    prefix: text('prefix').notNull(),
    /** The next page's continuation token; null before the first page. */
    continuationToken: text('continuation_token'),
    done: integer('done', { mode: 'boolean' }).notNull().default(false),
    /** JSON object area -> [objects, bytes]. */
    counts: text('counts').notNull().default('{}'),
    pages: integer('pages').notNull().default(0),
  },
  (table) => [primaryKey({ columns: [table.connectionId, table.prefix] })],
);

/**
 * Operations older than the retention period, rolled up per day, connection, operation and
 * outcome, so the ledger does not grow without bound and every analytics figure stays exact.
 */
export const operationRollups = sqliteTable(
  'operation_rollups',
  {
    day: text('day').notNull(),
    connectionId: text('connection_id').notNull().default(''),
    operation: text('operation').notNull(),
    success: integer('success', { mode: 'boolean' }).notNull(),
    errorCode: text('error_code').notNull().default(''),
    /** The HTTP status of a failed request's answer (0 for none): the analytics tell a reason by code and status (src/shared/analytics.ts). */
    httpStatus: integer('http_status').notNull().default(0),
    count: integer('count').notNull(),
    bytesSent: integer('bytes_sent').notNull(),
    durationMs: integer('duration_ms').notNull(),
  },
  (table) => [primaryKey({ columns: [table.day, table.connectionId, table.operation, table.success, table.errorCode, table.httpStatus] })],
);

/**
 * What the prepare stage made of one image (issue 13): the row of the author's file is its id;
 * its variants are uploads with this image_set_id. Bytes before and after are what "saved 81%" reads.
 */
export const imageSets = sqliteTable('image_sets', {
  id: text('id')
    .primaryKey()
    .references(() => uploads.id, { onDelete: 'cascade' }),
  /** The author's file (the anchor row's own source may become the largest variant when the original is not kept). */
  sourcePath: text('source_path').notNull(),
  sourceSha256: text('source_sha256').notNull(),
  preset: text('preset', { enum: imagePresetNames }).notNull(),
  format: text('format', { enum: imageFormats }).notNull(),
  width: integer('width').notNull(),
  height: integer('height').notNull(),
  dominantColor: text('dominant_color').notNull(),
  bytesBefore: integer('bytes_before').notNull(),
  bytesAfter: integer('bytes_after').notNull(),
  variantCount: integer('variant_count').notNull(),
  originalKept: integer('original_kept', { mode: 'boolean' }).notNull(),
  /** Made from the cache: nothing was encoded. */
  cacheHit: integer('cache_hit', { mode: 'boolean' }).notNull(),
  /** JSON array of what the author should know ("converted from CMYK to sRGB"). */
  notices: text('notices').notNull().default('[]'),
  preparedAt: integer('prepared_at').notNull(),
});

/** A local folder kept in sync with a connection's bucket (src/shared/watch.ts). */
export const watchFolders = sqliteTable('watch_folders', {
  id: text('id').primaryKey(),
  path: text('path').notNull().unique(),
  connectionId: text('connection_id')
    .notNull()
    .references(() => connections.id),
  /** The destination prefix; null: each file under its type's folder. */
  prefix: text('prefix'),
  category: text('category'),
  /** JSON arrays of globs, relative to the folder. */
  include: text('include').notNull().default('[]'),
  exclude: text('exclude').notNull().default('[]'),
  poll: integer('poll', { mode: 'boolean' }).notNull().default(false),
  paused: integer('paused', { mode: 'boolean' }).notNull().default(false),
  /** Off unless the author asks: a file deleted from the folder is deleted from the bucket too. */
  syncDeletes: integer('sync_deletes', { mode: 'boolean' }).notNull().default(false),
  /** Even then, when more than this share (%) of the folder's files vanish at once, nothing is deleted until the author confirms. */
  deleteGuardPercent: integer('delete_guard_percent').notNull().default(25),
  /** Images get their web set: null by their destination (settings), or always / never for this folder. */
  optimize: integer('optimize', { mode: 'boolean' }),
  /** Deletions held by that guard, waiting for the author (watch.confirmDeletes). */
  deletesHeld: integer('deletes_held').notNull().default(0),
  /** What the driving process last found: unavailable or error with why (null when all is well). */
  problem: text('problem', { enum: ['unavailable', 'error'] }),
  message: text('message'),
  /** Set by `watch.scan` from any process; the driving process scans and clears it. */
  scanRequestedAt: integer('scan_requested_at'),
  lastScanAt: integer('last_scan_at'),
  lastSyncAt: integer('last_sync_at'),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

/**
 * What Quire knows of each file of a watch folder: what it last saw (size, mtime) and what it
 * wrote (key, SHA-256, ETag). The reconcile scan compares the folder with these rows, so an
 * unchanged file is never sent twice, and a renamed one is recognised by its SHA-256.
 */
export const watchedFiles = sqliteTable(
  'watched_files',
  {
    folderId: text('folder_id')
      .notNull()
      .references(() => watchFolders.id, { onDelete: 'cascade' }),
    relativePath: text('relative_path').notNull(),
    size: integer('size').notNull(),
    mtimeMs: integer('mtime_ms').notNull(),
    /** pending: seen, not yet in the bucket; synced: the bucket holds this version; ignored: by rule or cancelled; missing: gone from the folder (nothing is deleted remotely). */
    state: text('state', { enum: ['pending', 'synced', 'ignored', 'missing'] }).notNull(),
    uploadId: text('upload_id'),
    objectKey: text('object_key'),
    sha256: text('sha256'),
    etag: text('etag'),
    updatedAt: integer('updated_at').notNull(),
  },
  (table) => [primaryKey({ columns: [table.folderId, table.relativePath] }), index('watched_files_upload_idx').on(table.uploadId)],
);

export const settings = sqliteTable('settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
  updatedAt: integer('updated_at')
    .notNull()
    .default(sql`(unixepoch() * 1000)`),
});

export type ConnectionRow = typeof connections.$inferSelect;
export type UploadRow = typeof uploads.$inferSelect;
export type { UploadStatus };
export type MultipartSessionRow = typeof multipartSessions.$inferSelect;
export type MultipartPartRow = typeof multipartParts.$inferSelect;
export type WatchFolderRow = typeof watchFolders.$inferSelect;
export type WatchedFileRow = typeof watchedFiles.$inferSelect;
export type ImageSetRow = typeof imageSets.$inferSelect;
