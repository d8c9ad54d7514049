/**
 * The upload state machine on one screen: every status a row can have, and every move between
 * them with the reason it is allowed. The ledger's column, the contract and the engine's one
 * status write all take the list from here; the write refuses any move not listed.
 */
export const uploadStatuses = ['queued', 'preparing', 'uploading', 'completing', 'verified', 'paused', 'waiting', 'failed', 'cancelled'] as const;
export type UploadStatus = (typeof uploadStatuses)[number];

/** The statuses each status may be entered from. */
export const enteredFrom: { readonly [To in UploadStatus]: readonly UploadStatus[] } = {
  // Resumed by the author (paused, or failed: a retry); a job stopped by the engine shutting
  // down, or left in flight by a process that died, is simply runnable again.
  queued: ['paused', 'failed', 'preparing', 'uploading', 'completing', 'waiting'],
  // A large file's hash pass, before anything is sent.
  preparing: ['queued', 'waiting'],
  // Bytes are going out (a small file straight from the queue).
  uploading: ['queued', 'waiting', 'preparing'],
  // Complete sent, or the object found already there; the bucket is being checked (and, once
  // Complete has been sent, checked from completing itself).
  completing: ['queued', 'waiting', 'preparing', 'uploading', 'completing'],
  // The bucket holds exactly the file: a fact, so even a pause or a cancel that came while the
  // last answer was on its way gives way to it (the row must say what the bucket holds).
  verified: ['queued', 'waiting', 'preparing', 'uploading', 'completing', 'paused', 'cancelled'],
  // The author pauses anything not yet finished.
  paused: ['queued', 'waiting', 'preparing', 'uploading', 'completing'],
  // Offline, rate limited, a server hiccup or a file still being written: tried again later.
  waiting: ['queued', 'waiting', 'preparing', 'uploading', 'completing'],
  // A refusal that trying again cannot fix, or retries used up.
  failed: ['queued', 'waiting', 'preparing', 'uploading', 'completing'],
  // The author cancels anything not verified.
  cancelled: ['queued', 'waiting', 'preparing', 'uploading', 'completing', 'paused', 'failed'],
};

/** Statuses in which the queue still owes the author work. */
export const unfinishedStatuses: readonly UploadStatus[] = ['queued', 'preparing', 'uploading', 'completing', 'waiting', 'paused'];
/** Statuses only a running job holds: after a crash they mean "was interrupted". */
export const inFlightStatuses: readonly UploadStatus[] = ['preparing', 'uploading', 'completing'];
