import { areaOf } from '../../../shared/usage';
import type { ObjectStore } from '../s3/gateway';
import { Semaphore } from '../util/semaphore';
import type { AreaCounts, UsageRepository } from './usageRepository';

/** The unit that counts the objects at the top of the bucket (listed with a delimiter, so not what is under its folders). */
export const ROOT_UNIT = '';

export interface ScanFigures {
  objectsSeen: number;
  bytesSeen: number;
  unitsDone: number;
  units: number;
}

export interface ScanOptions {
  /** Prefixes listed side by side: within the connection's request budget (the gateway paces each request). */
  unitsAtOnce: number;
  signal: AbortSignal;
  /** After every page: the figures so far. */
  progress: (figures: ScanFigures) => void;
  clock: () => number;
}

/**
 * Counts a bucket's objects and bytes per area of the layout by listing it: its top-level
 * prefixes ("books/", "audiobooks/"...) are units listed side by side, page by page (1,000 keys),
 * each page folded into counters and dropped, so memory stays flat for any bucket. After every
 * page the unit's continuation token and counts are written, so a scan cut off (a kill, a
 * reboot, the author's cancel) goes on from its last page. Then the unfinished multipart uploads
 * (Spaces bills their parts) are counted, and the counts become the connection's snapshot.
 */
export async function scanBucket(connectionId: string, gateway: ObjectStore, repository: UsageRepository, options: ScanOptions): Promise<void> {
  // A scan cut off, cancelled or failed goes on from its units' last pages; a finished one starts afresh.
  const existing = repository.scan(connectionId);
  if (existing && existing.state !== 'done' && repository.units(connectionId).length > 0) repository.resume(connectionId, options.clock());
  else repository.begin(connectionId, [ROOT_UNIT, ...(await topLevelPrefixes(gateway, options.signal))], options.clock());
  const units = repository.units(connectionId);
  const figures = () => {
    let objectsSeen = 0;
    let bytesSeen = 0;
    for (const unit of repository.units(connectionId)) {
      for (const [objects, bytes] of Object.values(parseCounts(unit.counts))) {
        objectsSeen += objects;
        bytesSeen += bytes;
      }
    }
    return { objectsSeen, bytesSeen, unitsDone: repository.units(connectionId).filter((unit) => unit.done).length, units: units.length };
  };
  options.progress(figures());

  const lanes = new Semaphore(options.unitsAtOnce);
  await Promise.all(
    units
      .filter((unit) => !unit.done)
      .map((unit) =>
        lanes.run(async () => {
          const counts = parseCounts(unit.counts);
          let token = unit.continuationToken;
          let pages = unit.pages;
          for (;;) {
            options.signal.throwIfAborted();
            // The root unit is listed with a delimiter: only the objects at the top, not what its folders hold (their units count that).
            const page = await gateway.listObjectsPage(unit.prefix, token, { delimiter: unit.prefix === ROOT_UNIT ? '/' : undefined, signal: options.signal });
            for (const object of page.objects) {
              const area = areaOf(object.key);
              const count = (counts[area] ??= [0, 0]);
              count[0] += 1;
              count[1] += object.size;
            }
            token = page.nextToken;
            pages += 1;
            repository.savePage(connectionId, unit.prefix, { continuationToken: token, done: token === null, counts, pages }, options.clock());
            options.progress(figures());
            if (token === null) return;
          }
        }),
      ),
  );

  options.signal.throwIfAborted();
  const unfinished = await countUnfinished(gateway, options);
  const total: AreaCounts = {};
  for (const unit of repository.units(connectionId)) {
    for (const [area, [objects, bytes]] of Object.entries(parseCounts(unit.counts))) {
      const count = (total[area] ??= [0, 0]);
      count[0] += objects;
      count[1] += bytes;
    }
  }
  repository.finish(connectionId, total, unfinished, options.clock());
}

/** The bucket's top-level "folders" (every page of them: a bucket may hold thousands of objects at its top too). */
async function topLevelPrefixes(gateway: ObjectStore, signal: AbortSignal): Promise<string[]> {
  const prefixes: string[] = [];
  let token: string | null = null;
  do {
    const page = await gateway.listObjectsPage('', token, { delimiter: '/', signal });
    prefixes.push(...page.prefixes);
    token = page.nextToken;
  } while (token !== null);
  return prefixes;
}

/** Unfinished multipart uploads and the bytes of the parts they hold (listed per upload, a few at once). */
async function countUnfinished(gateway: ObjectStore, options: Pick<ScanOptions, 'unitsAtOnce' | 'signal'>): Promise<{ uploads: number; bytes: number }> {
  const open = await gateway.listMultipartUploads();
  const lanes = new Semaphore(options.unitsAtOnce);
  const sizes = await Promise.all(
    open.map((upload) =>
      lanes.run(async () => {
        options.signal.throwIfAborted();
        // An upload completed or aborted meanwhile has no parts to bill.
        const parts = await gateway.listParts(upload.key, upload.s3UploadId, { signal: options.signal }).catch(() => []);
        return parts.reduce((sum, part) => sum + part.size, 0);
      }),
    ),
  );
  return { uploads: open.length, bytes: sizes.reduce((sum, size) => sum + size, 0) };
}

function parseCounts(text: string): AreaCounts {
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed && typeof parsed === 'object' ? (parsed as AreaCounts) : {};
  } catch {
    return {};
  }
}
