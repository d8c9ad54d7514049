import { areaOf } from '../../../shared/usage';
import type { ObjectStore } from '../s3/gateway';
import { Semaphore } from '../util/semaphore';
import { parseCounts, type AreaCounts, type UsageRepository } from './usageRepository';

/** The unit that counts the objects at the top of the bucket (listed with a delimiter, so not what is under its folders). */
export const ROOT_UNIT = '';

/**
 * A top-level folder too big for one page, with at most this many folders inside, is listed as
 * those folders side by side; one with more (a folder per site, say) stays one unit, since a
 * request per small folder would cost more than listing them together saves. Few are needed: a
 * handful of units per lane keeps every lane busy to the end.
 */
const MAX_SPLIT = 16;
/** Above this many top-level folders, they are units enough: none is split. */
const MAX_FOLDERS_TO_SPLIT = 64;

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
 * Counts a bucket's objects and bytes per area of the layout by listing it: its top-level folders,
 * the big ones split into the folders inside them ("books/content/", "books/covers/"...), are
 * units listed side by side, page by page (1,000 keys), each page folded into counters and
 * dropped, so memory stays flat for any bucket. (Unsplit, the biggest folder, "books/", was
 * listed alone page after page once the others were done; split, the lanes stay busy to the
 * end.) After every page the unit's continuation token and counts are written, so a scan cut
 * off (a kill, a reboot, the author's cancel) goes on from its last page. Then the unfinished
 * multipart uploads (Spaces bills their parts) are counted, and the counts become the
 * connection's snapshot. Where the server counts the bucket itself, its totals are taken first.
 */
export async function scanBucket(connectionId: string, gateway: ObjectStore, repository: UsageRepository, options: ScanOptions): Promise<void> {
  // A scan cut off, cancelled or failed goes on from its units' last pages; a finished one starts afresh.
  const existing = repository.scan(connectionId);
  if (existing && existing.state !== 'done' && repository.units(connectionId).length > 0) repository.resume(connectionId, options.clock());
  else {
    const serverTotals = await countedByServer(gateway, options);
    // Uploads verified after the server's count are added to it (usageService): the count comes first.
    const began = options.clock();
    const plan = await planUnits(gateway, options);
    repository.begin(connectionId, plan.map((unit) => unit.prefix), serverTotals, began);
    // What planning listed already counts: a unit it listed whole is done, one it began goes on from there.
    for (const unit of plan) if (unit.listed) repository.savePage(connectionId, unit.prefix, { ...unit.listed, done: unit.listed.continuationToken === null, pages: 1 }, options.clock());
  }
  const units = repository.units(connectionId);
  // Units with other units inside them (the root, a split folder).
  const parents = new Set(units.filter((unit) => units.some((other) => other.prefix !== unit.prefix && other.prefix.startsWith(unit.prefix))).map((unit) => unit.prefix));
  const figures = () => repository.unitFigures(connectionId);
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
            // A unit with units inside (the root, a split folder) is listed with a delimiter: only the objects directly in it, not what its folders hold (their units count that).
            const page = await gateway.countObjectsPage(unit.prefix, token, { delimiter: parents.has(unit.prefix) ? '/' : undefined, signal: options.signal, groupOf: areaOf });
            addCounts(counts, page.counts);
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
  for (const unit of repository.units(connectionId)) addCounts(total, parseCounts(unit.counts));
  repository.finish(connectionId, total, unfinished, options.clock());
}

interface PlannedUnit {
  prefix: string;
  /** What planning already listed of this unit (its first page, or all of it when the token is null). */
  listed: { counts: AreaCounts; continuationToken: string | null } | null;
}

/**
 * The units of a new scan. The bucket's top is listed with a delimiter (every page: a bucket may
 * hold thousands of objects at its top too), which counts the objects there (the root unit) and
 * gives the top-level folders. Each folder's first page tells its size: one page is all of a
 * small folder (a unit done); a bigger one is listed once more with a delimiter, which gives the
 * objects directly in it and its own folders, and those become units when they are few
 * (MAX_SPLIT). Otherwise the folder stays one unit, going on from its first page.
 */
async function planUnits(gateway: ObjectStore, options: Pick<ScanOptions, 'unitsAtOnce' | 'signal'>): Promise<PlannedUnit[]> {
  const top = { prefix: ROOT_UNIT, listed: { counts: {} as AreaCounts, continuationToken: null } };
  const folders: string[] = [];
  let token: string | null = null;
  do {
    const page = await gateway.countObjectsPage(ROOT_UNIT, token, { delimiter: '/', signal: options.signal, groupOf: areaOf });
    addCounts(top.listed.counts, page.counts);
    folders.push(...page.prefixes);
    token = page.nextToken;
  } while (token !== null);
  if (folders.length > MAX_FOLDERS_TO_SPLIT) return [top, ...folders.map((prefix) => ({ prefix, listed: null }))];
  const lanes = new Semaphore(options.unitsAtOnce);
  const planned = await Promise.all(
    folders.map((prefix) =>
      lanes.run(async (): Promise<PlannedUnit[]> => {
        const first = await gateway.countObjectsPage(prefix, null, { signal: options.signal, groupOf: areaOf });
        const whole: PlannedUnit = { prefix, listed: { counts: first.counts, continuationToken: first.nextToken } };
        if (first.nextToken === null) return [whole];
        const inside = await gateway.countObjectsPage(prefix, null, { delimiter: '/', signal: options.signal, groupOf: areaOf });
        if (inside.nextToken !== null || inside.prefixes.length === 0 || inside.prefixes.length > MAX_SPLIT) return [whole];
        // Split: the folder's own unit holds only the objects directly in it, all on this page.
        return [{ prefix, listed: { counts: inside.counts, continuationToken: null } }, ...inside.prefixes.map((inner) => ({ prefix: inner, listed: null }))];
      }),
    ),
  );
  return [top, ...planned.flat()];
}

/** One page's counts added to a unit's. */
function addCounts(counts: AreaCounts, page: AreaCounts): void {
  for (const [area, [objects, bytes]] of Object.entries(page)) {
    const count = (counts[area] ??= [0, 0]);
    count[0] += objects;
    count[1] += bytes;
  }
}

/**
 * The bucket's objects and bytes as the server counts them, where it offers that (Ceph radosgw's
 * bucket statistics; not Spaces): exact at once, before the listing has counted the areas. The
 * server counts the parts of unfinished uploads among the objects; they are listed and taken out.
 */
async function countedByServer(gateway: ObjectStore, options: Pick<ScanOptions, 'unitsAtOnce' | 'signal'>): Promise<{ objects: number; bytes: number } | null> {
  const stats = await gateway.bucketStats({ signal: options.signal });
  if (!stats) return null;
  try {
    const unfinished = await countUnfinished(gateway, options);
    return { objects: Math.max(0, stats.objects - unfinished.parts), bytes: Math.max(0, stats.bytes - unfinished.bytes) };
  } catch (error) {
    // The count is a head start, not the answer: the listing still counts everything.
    if (options.signal.aborted) throw error;
    return null;
  }
}

/** Unfinished multipart uploads and the parts they hold (listed per upload, a few at once). */
async function countUnfinished(gateway: ObjectStore, options: Pick<ScanOptions, 'unitsAtOnce' | 'signal'>): Promise<{ uploads: number; bytes: number; parts: number }> {
  const open = await gateway.listMultipartUploads();
  const lanes = new Semaphore(options.unitsAtOnce);
  const sizes = await Promise.all(
    open.map((upload) =>
      lanes.run(async () => {
        options.signal.throwIfAborted();
        // An upload completed or aborted meanwhile has no parts to bill.
        const parts = await gateway.listParts(upload.key, upload.s3UploadId, { signal: options.signal }).catch(() => []);
        return { parts: parts.length, bytes: parts.reduce((sum, part) => sum + part.size, 0) };
      }),
    ),
  );
  return { uploads: open.length, bytes: sizes.reduce((sum, size) => sum + size.bytes, 0), parts: sizes.reduce((sum, size) => sum + size.parts, 0) };
}
