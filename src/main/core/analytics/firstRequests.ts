import type Database from 'better-sqlite3';

/**
 * When Quire first sent a request for each upload, copied onto the upload's row
 * (uploads.first_request_at). Throughput is an upload's size over the time from that request to
 * its verification (src/shared/analytics.ts); looking the first request up in the operations
 * log for each of a year's 100,000 uploads costs over 100 ms by itself, and the rollup deletes
 * those requests. So the moment is copied once, where it cannot change any more:
 * - for a verified upload (verified is final: no request of its comes later), at the engine's
 *   start, in the background (copyFirstRequests);
 * - for any upload whose requests are about to be rolled up, in the rollup's own transaction
 *   (earlier requests were rolled up, and their uploads copied, before).
 * An upload with no request logged (from before the log) gets the time it was queued, which is
 * what the report counts from for such an upload anyway. Until copied, the report looks it up.
 */

/** The moment to copy for the upload row `uploads`: its earliest logged request, else when it was queued. */
export const FIRST_REQUEST = `coalesce((SELECT min(o.started_at) FROM operations o WHERE o.upload_id = uploads.id), uploads.created_at)`;

/** Small batches: each is a moment the host's event loop waits (about 15 ms for 200 on a 1 M-request ledger). */
const BATCH = 200;

/**
 * Copies the first request of every verified upload that has none copied yet, a batch per
 * transaction, oldest first. Returns how many. A cursor on verified_at walks the index
 * (uploads_verified_idx) once: the uploads already copied are not read again for every batch.
 */
export async function copyFirstRequests(db: Database.Database, signal?: AbortSignal): Promise<number> {
  const next = db.prepare(
    `SELECT id, verified_at AS verifiedAt FROM uploads WHERE status = 'verified' AND verified_at >= @after AND first_request_at IS NULL ORDER BY verified_at LIMIT ${BATCH}`,
  );
  const copy = db.prepare(`UPDATE uploads SET first_request_at = ${FIRST_REQUEST} WHERE id IN (SELECT value FROM json_each(@ids)) AND first_request_at IS NULL`);
  let copied = 0;
  for (let after = 0; ; ) {
    if (signal?.aborted) return copied;
    const batch = next.all({ after }) as { id: string; verifiedAt: number }[];
    if (batch.length === 0) return copied;
    copied += copy.run({ ids: JSON.stringify(batch.map((row) => row.id)) }).changes;
    // Uploads verified in the same millisecond as the last of the batch are found again, copied (not null) or not.
    after = batch[batch.length - 1]!.verifiedAt;
    // better-sqlite3 is synchronous: let the host's other work run between batches.
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** What the rollup runs before deleting the requests of [@start, @end): every upload with a request among them gets its first request copied. */
export const COPY_FIRST_REQUESTS_OF_SPAN = `UPDATE uploads SET first_request_at = ${FIRST_REQUEST}
  WHERE first_request_at IS NULL AND id IN (SELECT upload_id FROM operations WHERE started_at >= @start AND started_at < @end AND upload_id IS NOT NULL)`;
