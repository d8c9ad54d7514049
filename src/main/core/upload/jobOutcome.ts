import { QuireError } from '../errors';
import type { UploadRow } from '../ledger/schema';
import { classifyS3Error } from '../s3/classifyError';
import { isAbort, isNetworkError } from '../s3/retryPolicy';
import { SourceChangedError } from './sourceFile';
import type { Verified } from './transferContext';

/**
 * How one run of a job ended. The queue turns each into the row's one status write, in one
 * exhaustive switch (uploadQueue.ts `settle`), so what can happen to an upload reads in one place.
 */
export type JobOutcome =
  /** The bucket holds exactly the file. */
  | { kind: 'verified'; verified: Verified }
  /** Stopped on purpose: by the author (the row already says paused or cancelled) or by the engine stopping. */
  | { kind: 'stopped' }
  /** The file changed under the job: its new version goes once the file has been left alone. */
  | { kind: 'changed'; error: SourceChangedError }
  /** Nothing came back from the endpoint: the upload waits for it, however long. */
  | { kind: 'offline'; error: QuireError }
  /** The server said "not now" (5xx, SlowDown, a timeout): tried again later, a limited number of times. */
  | { kind: 'retry'; error: QuireError }
  /** Trying again cannot help until the author acts (keys, bucket, a file gone, a mismatch). */
  | { kind: 'failed'; error: QuireError; fromServer: boolean };

/**
 * What a job's failure means. Failures come from deep inside I/O as thrown errors; this is the one
 * place that reads them, so every other part of the queue deals in outcomes.
 */
export function outcomeOfFailure(error: unknown, signal: AbortSignal, row: UploadRow, where: { endpoint?: string; bucket?: string }): JobOutcome {
  if (signal.aborted || isAbort(error)) return { kind: 'stopped' };
  if (error instanceof SourceChangedError && !error.deleted) return { kind: 'changed', error };
  const quireError = classifyS3Error(error, row.sourcePath, where);
  if (isNetworkError(error)) return { kind: 'offline', error: quireError };
  if (quireError.retryable) return { kind: 'retry', error: quireError };
  return { kind: 'failed', error: quireError, fromServer: !(error instanceof QuireError) };
}
