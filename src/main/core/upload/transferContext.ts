import type { UploadRow } from '../ledger/schema';
import type { ObjectStore } from '../s3/gateway';
import type { BufferPool } from '../util/bufferPool';
import type { Semaphore } from '../util/semaphore';
import type { UploadRepository } from './uploadRepository';

export interface TransferSettings {
  multipartThreshold: number;
  partSize: number;
  /** Spaces allows at most 10 concurrent PUTs to one object. */
  partsPerObject: number;
}

/** What one upload job needs from the engine around it: small ports, easy to follow. */
export interface TransferContext {
  repository: UploadRepository;
  /** The connection's one gateway: paced, bandwidth-limited, every request retried by one rule. */
  gateway: ObjectStore;
  /** The global budget of S3 requests in flight, shared by every job. */
  requests: Semaphore;
  /** Read buffers parts stream through, one per request in flight at most. */
  buffers: BufferPool;
  settings: TransferSettings;
  signal: AbortSignal;
  /** The row changed (it was written first): hosts hear of it, coalesced. */
  changed: (id: string, notice?: string) => void;
  /**
   * Bytes of an upload's parts in flight that the server has been sent but not yet confirmed:
   * not a record (a part counts once its ETag is written), only what a progress bar shows
   * between two finished parts. Null when nothing is in flight.
   */
  sending: (id: string, bytes: number | null) => void;
}

/** A new attempt starts with the last one's error forgotten. */
export const CLEARED_ERROR = { errorCode: null, errorMessage: null, errorRetryable: null, retryAfter: null } as const;

/** One S3 request of a job, inside the global budget (the gateway retries it by its one rule). */
export function jobRequest<T>(context: TransferContext, call: () => Promise<T>): Promise<T> {
  return context.requests.run(call);
}

/** How a job ends well: the bucket holds exactly the file, as checked. The queue writes it. */
export interface Verified {
  key: string;
  etag: string;
  /** The file's SHA-256 when this job computed it (a small file's is known only here). */
  sha256: string | null;
  notice?: string;
}

export type { UploadRow };
