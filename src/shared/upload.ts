import { z } from 'zod';
import type { ErrorData } from './errors';
import type { ImageFormat, ImagePresetName } from './images';
import type { QuotaState } from './usage';
import { categoryNames, type Category } from './layout';
import { uploadStatuses, type UploadStatus } from './uploadStatus';

export { uploadStatuses, type UploadStatus };

/** A browser's drop: the id of the staging batch its bytes were streamed into (see the web host). */
export const stagingBatchSchema = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'is not a staging batch id');

export const enqueueInputSchema = z.object({
  /** Files and folders on the engine's machine; with `staged`, entries relative to that batch. */
  paths: z.array(z.string().min(1)).min(1, 'name at least one file or folder'),
  staged: stagingBatchSchema.optional(),
  connection: z.string().min(1).optional(),
  /** An explicit destination prefix ("books/content/my-novel/") overrides the type's folder. */
  to: z.string().max(900).optional(),
  type: z.enum(categoryNames as [Category, ...Category[]]).optional(),
  template: z.enum(['keep-name', 'dated-uuid']).default('keep-name'),
  visibility: z.enum(['private', 'public-read']).optional(),
  onConflict: z.enum(['keep-both', 'overwrite']).default('keep-both'),
  /** Images get their web set (true), are uploaded as they are (false), or as settings say for their destination (absent). */
  optimize: z.boolean().optional(),
});
export type EnqueueInput = z.input<typeof enqueueInputSchema>;

export interface UploadSummary {
  id: string;
  connectionId: string;
  sourcePath: string;
  objectKey: string;
  category: string;
  size: number;
  bytesDone: number;
  status: UploadStatus;
  method: 'single' | 'multipart';
  /** Who can read the object: only a public one has an address (CDN or bucket) that works without a link. */
  visibility: 'private' | 'public-read';
  sha256: string | null;
  etag: string | null;
  attempts: number;
  retryAfter: number | null;
  error: ErrorData | null;
  createdAt: number;
  verifiedAt: number | null;
  /** The last thing the author should know that is not a failure ("resumed at 63%: 5 of 8 parts were already in the bucket"). */
  notice: string | null;
  /** The image preset whose set this file still owes: it is prepared before it uploads. */
  optimize: ImagePresetName | null;
  /** Part of an image set: its id (the row of the author's file), its place in it, and the author's file it was made from. */
  image: { setId: string; variant: string; origin: string } | null;
  /** On the row of the author's file, once its set is made: what was made and what it saved. */
  imageSet: ImageSetSummary | null;
}

/** What the prepare stage made of one image. */
export interface ImageSetSummary {
  preset: ImagePresetName;
  format: ImageFormat;
  width: number;
  height: number;
  dominantColor: string;
  /** The author's file. */
  bytesBefore: number;
  /** Every variant made, together (the original is not counted). */
  bytesAfter: number;
  variants: number;
  originalKept: boolean;
  cacheHit: boolean;
  notices: string[];
}

export interface RejectedFile {
  path: string;
  error: ErrorData;
}

/** An entry inside a dropped folder that is not uploaded by rule (a link or special file), and why. */
export interface SkippedEntry {
  path: string;
  reason: string;
}

export interface EnqueueResult {
  queued: UploadSummary[];
  rejected: RejectedFile[];
  skipped: SkippedEntry[];
}

export interface RunResult {
  verified: number;
  failed: number;
  cancelled: number;
  waiting: number;
  paused: number;
}

/**
 * One page of the queue, filtered: a UI shows 100,000 uploads a screenful at a time, so no list
 * of them all ever crosses a boundary. Oldest first, as the queue works them.
 */
export const uploadListInputSchema = z.object({
  status: z.array(z.enum(uploadStatuses)).max(uploadStatuses.length).optional(),
  connection: z.string().min(1).max(64).optional(),
  category: z.enum(categoryNames as [Category, ...Category[]]).optional(),
  /** Matched anywhere in the file's path or the object's key, ignoring case. */
  text: z.string().max(200).optional(),
  offset: z.number().int().min(0).default(0),
  limit: z.number().int().min(1).max(1000).default(200),
});
export type UploadListInput = z.input<typeof uploadListInputSchema>;

export interface UploadPage {
  uploads: UploadSummary[];
  /** How many uploads match the filter in all. */
  total: number;
  offset: number;
}

/** An upload changed; the summary is what the ledger holds now. */
export interface UploadChangedEvent {
  upload: UploadSummary;
  /** Something the author should know that is not a failure ("changed since queued, uploading it anew"). */
  notice?: string;
  /**
   * Bytes of the parts in flight the server has been sent but not yet confirmed: progress between
   * two finished parts, for a bar and a speed. Not in `bytesDone`, which counts only what the
   * bucket confirmed (and what a resume keeps).
   */
  bytesSending?: number;
}

/**
 * What the queue of this data folder is doing. `stopped`: no process drives it; `elsewhere`:
 * another process does (the app, `quire run --follow`), and picks up what this one adds;
 * `idle`: nothing to do; `running`: uploads in progress; `waiting`: nothing can go now (offline
 * endpoints, retries later); `paused`: the author paused everything; `halted`: the ledger cannot
 * be written (a full disk), nothing goes until it can.
 */
export interface QueueState {
  state: 'stopped' | 'elsewhere' | 'idle' | 'running' | 'waiting' | 'paused' | 'halted';
  /** Uploads being worked on now. */
  active: number;
  /** Uploads queued or waiting. */
  pending: number;
  offline: { connectionId: string; endpoint: string; nextProbeAt: number }[];
  halted: ErrorData | null;
}

/** The server refused a connection's bucket or keys: its other queued files fail with this at once. */
export interface ConnectionRefusedEvent {
  connectionId: string;
  connection: string;
  error: ErrorData;
}

/** One file as it would be queued: what an author checks before anything is sent. */
export interface PlannedFile {
  /** The file as the author named it (for a browser drop, its path inside the dropped folder). */
  path: string;
  objectKey: string;
  category: Category;
  contentType: string;
  size: number;
  /**
   * An object already at that key in the bucket: with "keep both" the file is kept beside it
   * (its key shown here), with "overwrite" it replaces it. Null when the key is free, or when
   * the bucket could not be asked (then `existingUnknown`).
   */
  existing: { keptAs: string | null; size: number } | null;
  existingUnknown?: boolean;
  /** The image preset it will be prepared with (its web set made before it uploads), or null. */
  optimize: ImagePresetName | null;
}

/** `uploads.preview`: what `uploads.enqueue` with the same input would queue, refuse and skip. */
export interface UploadPreview {
  files: PlannedFile[];
  rejected: RejectedFile[];
  skipped: SkippedEntry[];
  /** The connection's quota with this batch added (its files' own bytes; web sets come on top): a batch that would cross a state is warned before it goes. */
  quota: BatchQuota;
}

export interface BatchQuota {
  quotaBytes: number;
  /** Stored now, as the last scan and Quire's uploads since say. */
  usedBytes: number;
  addedBytes: number;
  stateNow: QuotaState;
  stateAfter: QuotaState;
  /** Bytes over the quota once the batch is in (0 when it fits). */
  overByBytes: number;
}

/** `uploads.details`: one upload as its details panel shows it. */
export interface UploadDetails {
  upload: UploadSummary;
  /** The server's multipart UploadId, while or after one was open. */
  serverUploadId: string | null;
  partSize: number | null;
  partCount: number | null;
  partsDone: number;
  /** The S3 requests made for this upload, newest first (at most 200). */
  log: { at: number; operation: string; httpStatus: number | null; success: boolean; bytesSent: number; durationMs: number; errorCode: string | null }[];
}
