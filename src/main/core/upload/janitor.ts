import type { Orphan } from '../../../shared/orphans';
import { categories } from '../../../shared/layout';
import type { ObjectStore } from '../s3/gateway';
import { httpStatusOf } from '../s3/retryPolicy';

/** Spaces deletes unfinished multipart uploads after 30 days (docs/storage-facts.md); until then they are billed. */
export const SPACES_UNFINISHED_UPLOAD_DAYS = 30;
/** The platform specs' cleanup rule: an unfinished upload nobody owns is left alone for 24 hours. */
export const ORPHAN_MIN_AGE_MS = 24 * 3600 * 1000;
const DAY_MS = 24 * 3600 * 1000;
/**
 * How often a run's janitor lists a bucket. An orphan is only aborted once it is a day old, so
 * looking more often finds nothing new to do, and it costs every `quire` command a listing per
 * prefix (and loading the SDK, where the run needs nothing else of it). Twice a day, an orphan
 * is gone at most 36 hours after its upload stopped, whenever Quire runs.
 */
export const ORPHAN_CHECK_INTERVAL_MS = 12 * 3600 * 1000;

/**
 * The prefixes Quire writes under: the platform layout's top-level folders, plus the top folder
 * of every key this ledger has used on the connection (an author's own `--to` destination).
 */
export function quirePrefixes(ledgerKeys: string[]): string[] {
  const tops = new Set<string>();
  for (const prefix of Object.values(categories)) tops.add(topFolder(prefix));
  for (const key of ledgerKeys) tops.add(topFolder(key));
  tops.delete('');
  return [...tops].sort();
}

function topFolder(key: string): string {
  const slash = key.indexOf('/');
  return slash === -1 ? '' : key.slice(0, slash + 1);
}

/**
 * Unfinished multipart uploads under Quire's prefixes that this ledger does not own: left by a
 * crash between CreateMultipartUpload and its ledger row, by a version of a file that was
 * replaced, or by another tool. Each is billed until it is aborted or Spaces drops it, so each
 * comes with its size (from ListParts), its age and the days Spaces still keeps it.
 */
export async function findOrphans(gateway: ObjectStore, prefixes: string[], owned: Set<string>, now = Date.now(), signal?: AbortSignal): Promise<Orphan[]> {
  const orphans: Orphan[] = [];
  for (const prefix of prefixes) {
    signal?.throwIfAborted();
    for (const upload of await gateway.listMultipartUploads(prefix)) {
      if (owned.has(upload.s3UploadId)) continue;
      signal?.throwIfAborted();
      const parts = await gateway.listParts(upload.key, upload.s3UploadId).catch(() => []);
      const ageMs = Math.max(0, now - upload.initiated);
      orphans.push({
        key: upload.key,
        s3UploadId: upload.s3UploadId,
        initiated: upload.initiated,
        size: parts.reduce((sum, part) => sum + part.size, 0),
        parts: parts.length,
        ageMs,
        daysUntilProviderDeletes: Math.max(0, Math.ceil(SPACES_UNFINISHED_UPLOAD_DAYS - ageMs / DAY_MS)),
      });
    }
  }
  return orphans.sort((a, b) => a.initiated - b.initiated);
}

/** Aborts the given orphans; returns those it could not (their error says why). */
export async function abortOrphans(gateway: ObjectStore, orphans: Orphan[], signal?: AbortSignal): Promise<{ aborted: Orphan[]; failed: { orphan: Orphan; message: string }[] }> {
  const aborted: Orphan[] = [];
  const failed: { orphan: Orphan; message: string }[] = [];
  for (const orphan of orphans) {
    signal?.throwIfAborted();
    try {
      await gateway.abortMultipartUpload(orphan.key, orphan.s3UploadId);
      aborted.push(orphan);
    } catch (error) {
      // Already gone (aborted elsewhere, or expired) is what aborting wanted.
      if (httpStatusOf(error) === 404) aborted.push(orphan);
      else failed.push({ orphan, message: error instanceof Error ? error.message : String(error) });
    }
  }
  return { aborted, failed };
}
