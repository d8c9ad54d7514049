import { z } from 'zod';
import type { ErrorData } from './errors';
import { categoryNames, type Category } from './layout';

export const uploadStatuses = ['queued', 'preparing', 'uploading', 'completing', 'verified', 'paused', 'waiting', 'failed', 'cancelled'] as const;
export type UploadStatus = (typeof uploadStatuses)[number];

export const enqueueInputSchema = z.object({
  paths: z.array(z.string().min(1)).min(1, 'name at least one file or folder'),
  connection: z.string().min(1).optional(),
  /** An explicit destination prefix ("books/content/my-novel/") overrides the type's folder. */
  to: z.string().max(900).optional(),
  type: z.enum(categoryNames as [Category, ...Category[]]).optional(),
  template: z.enum(['keep-name', 'dated-uuid']).default('keep-name'),
  visibility: z.enum(['private', 'public-read']).optional(),
  onConflict: z.enum(['keep-both', 'overwrite']).default('keep-both'),
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
  sha256: string | null;
  etag: string | null;
  attempts: number;
  retryAfter: number | null;
  error: ErrorData | null;
  createdAt: number;
  verifiedAt: number | null;
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

/** Progress events, as the engine emits them to every host. */
export interface UploadProgressEvent {
  id: string;
  status: UploadStatus;
  bytesDone: number;
  size: number;
  objectKey: string;
  /** Something the author should know that is not a failure ("changed since queued, uploading it anew"). */
  notice?: string;
  error?: ErrorData;
}
