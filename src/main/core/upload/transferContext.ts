import type { UploadProgressEvent } from '../../../shared/upload';
import type { UploadRow } from '../ledger/schema';
import type { S3Gateway } from '../s3/gateway';
import type { BufferPool } from '../util/bufferPool';
import type { Semaphore } from '../util/semaphore';
import type { UploadRepository } from './uploadRepository';
import { withRetries } from './withRetries';

export interface TransferSettings {
  multipartThreshold: number;
  partSize: number;
  /** Spaces allows at most 10 concurrent PUTs to one object. */
  partsPerObject: number;
  /** Tries per request before the upload is handed back to the queue as "waiting". */
  maxAttempts: number;
}

/** What one upload job needs from the engine around it: small ports, easy to follow. */
export interface TransferContext {
  repository: UploadRepository;
  gateway: S3Gateway;
  /** The global budget of S3 requests in flight, shared by every job. */
  requests: Semaphore;
  /** Read buffers parts stream through, one per request in flight at most. */
  buffers: BufferPool;
  settings: TransferSettings;
  signal: AbortSignal;
  emit: (event: UploadProgressEvent) => void;
}

/** A new attempt starts with the last one's error forgotten. */
export const CLEARED_ERROR = { errorCode: null, errorMessage: null, errorRetryable: null, retryAfter: null } as const;

/** One S3 request of a job: inside the global budget, retried per policy, attempts counted. */
export function jobRequest<T>(context: TransferContext, row: UploadRow, call: () => Promise<T>): Promise<T> {
  return withRetries(() => context.requests.run(call), {
    maxAttempts: context.settings.maxAttempts,
    signal: context.signal,
    onRetry: () => context.repository.countAttempt(row.id),
  });
}

export function emitRow(context: TransferContext, id: string, notice?: string): void {
  const row = context.repository.get(id);
  if (!row) return;
  context.emit({ id: row.id, status: row.status, bytesDone: row.bytesDone, size: row.size, objectKey: row.objectKey, notice });
}
