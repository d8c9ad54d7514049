import { create } from 'zustand';
import type { UploadChangedEvent, UploadSummary } from '../../shared/upload';
import { unfinishedStatuses, uploadStatuses, type UploadStatus } from '../../shared/uploadStatus';
import { call, messageOf } from '../api/appApi';
import { SpeedMeter } from './speeds';

/**
 * The queue as the page knows it: every upload by id, in the engine's order (oldest first), kept
 * live by `upload.changed` events (each replaces one summary). The transport writes here outside
 * React; a row subscribes to its own summary, so a progress event re-renders one row, not the list.
 * Events are applied in batches every FLUSH_MS: 100 uploads at ten events a second each would
 * otherwise copy the map a thousand times a second.
 */

export const FLUSH_MS = 100;
const PAGE = 1000;
const unfinished = new Set<UploadStatus>(unfinishedStatuses);

export type StatusCounts = Record<UploadStatus, number>;

export interface UploadsState {
  byId: Record<string, UploadSummary>;
  ids: string[];
  /**
   * The last notice an event carried for an upload ("resumed at 63%: ..."); the summary's own
   * `notice` (kept in the ledger) says the same after a reload.
   */
  notices: Record<string, string>;
  /** Bytes per second over the last seconds, for uploads that are sending. */
  speeds: Record<string, number | null>;
  counts: StatusCounts;
  /**
   * Moves when an upload is added or changes status, not when it only makes progress: what
   * filters by status (the queue's chips, the selection's actions) recomputes on this, so a
   * progress event re-renders its row and the totals, not the list.
   */
  statusVersion: number;
  /** Across unfinished uploads: what the total bar shows. */
  totals: { bytesDone: number; size: number; count: number; speed: number };
  loaded: boolean;
  loading: boolean;
  error: string | null;
}

const zeroCounts = (): StatusCounts => Object.fromEntries(uploadStatuses.map((s) => [s, 0])) as StatusCounts;

export const useUploads = create<UploadsState>(() => ({
  byId: {},
  ids: [],
  notices: {},
  speeds: {},
  counts: zeroCounts(),
  statusVersion: 0,
  totals: { bytesDone: 0, size: 0, count: 0, speed: 0 },
  loaded: false,
  loading: false,
  error: null,
}));

/** Two summaries that show the same: the old object is kept so its row does not render again. */
export function sameSummary(a: UploadSummary, b: UploadSummary): boolean {
  return (
    a.status === b.status &&
    a.bytesDone === b.bytesDone &&
    a.attempts === b.attempts &&
    a.retryAfter === b.retryAfter &&
    a.etag === b.etag &&
    a.sha256 === b.sha256 &&
    a.verifiedAt === b.verifiedAt &&
    a.objectKey === b.objectKey &&
    a.size === b.size &&
    a.notice === b.notice &&
    a.error?.code === b.error?.code &&
    a.error?.message === b.error?.message &&
    // An image's set: owed, made (with what it saved), or given up for "upload as is".
    a.optimize === b.optimize &&
    a.image?.variant === b.image?.variant &&
    a.imageSet?.bytesAfter === b.imageSet?.bytesAfter &&
    a.imageSet?.notices.length === b.imageSet?.notices.length
  );
}

function derive(byId: Record<string, UploadSummary>, ids: string[], speeds: Record<string, number | null>, previous: Pick<UploadsState, 'counts' | 'totals'>): Pick<UploadsState, 'counts' | 'totals'> {
  const counts = zeroCounts();
  const totals = { bytesDone: 0, size: 0, count: 0, speed: 0 };
  for (const id of ids) {
    const upload = byId[id]!;
    counts[upload.status] += 1;
    if (unfinished.has(upload.status)) {
      totals.bytesDone += upload.bytesDone;
      totals.size += upload.size;
      totals.count += 1;
    }
  }
  for (const id in speeds) totals.speed += speeds[id] ?? 0;
  // The same figures keep the same objects: their subscribers do not render again.
  const sameCounts = uploadStatuses.every((status) => counts[status] === previous.counts[status]);
  const old = previous.totals;
  const sameTotals = totals.bytesDone === old.bytesDone && totals.size === old.size && totals.count === old.count && totals.speed === old.speed;
  return { counts: sameCounts ? previous.counts : counts, totals: sameTotals ? old : totals };
}

// ---- events --------------------------------------------------------------------------------

const meter = new SpeedMeter();
/** Events not yet applied, the newest per upload (an older one says nothing the newer does not). */
let pending = new Map<string, UploadChangedEvent>();
let flushTimer: ReturnType<typeof setTimeout> | null = null;
/** Arrival order of events and list pages, to tell which is newer while a load is under way. */
let sequence = 0;
let loadInProgress: { heldEvents: Map<string, { event: UploadChangedEvent; seq: number }> } | null = null;

export function receiveUploadChanged(received: UploadChangedEvent): void {
  // The bar, the speed and the ETA count the bytes of parts still in flight too, so a large file
  // moves smoothly between two finished parts (several parts go at once and finish together).
  // After a reload the bar starts from what the bucket confirmed, which is where a resume starts.
  const event = received.bytesSending ? { ...received, upload: { ...received.upload, bytesDone: Math.min(received.upload.size, received.upload.bytesDone + received.bytesSending) } } : received;
  const { upload } = event;
  const now = performance.now();
  if (upload.status === 'uploading' || upload.status === 'completing') meter.record(upload.id, upload.bytesDone, now);
  else meter.forget(upload.id);
  const earlier = pending.get(upload.id);
  // Keep a notice that came with an earlier event of the same batch.
  pending.set(upload.id, event.notice || !earlier?.notice ? event : { ...event, notice: earlier.notice });
  loadInProgress?.heldEvents.set(upload.id, { event, seq: ++sequence });
  flushTimer ??= setTimeout(flush, FLUSH_MS);
}

function computeSpeeds(previous: Record<string, number | null>): Record<string, number | null> {
  const now = performance.now();
  const speeds: Record<string, number | null> = {};
  let changed = false;
  for (const id of meter.ids()) {
    speeds[id] = meter.speedOf(id, now);
    if (speeds[id] !== previous[id]) changed = true;
  }
  if (!changed && Object.keys(previous).length === Object.keys(speeds).length) return previous;
  return speeds;
}

function flush(): void {
  flushTimer = null;
  const events = pending;
  pending = new Map();
  const state = useUploads.getState();
  let byId = state.byId;
  let ids = state.ids;
  let notices = state.notices;
  let statusVersion = state.statusVersion;
  for (const { upload, notice } of events.values()) {
    const old = byId[upload.id];
    if (old && sameSummary(old, upload) && !notice) continue;
    if (!old || old.status !== upload.status) statusVersion = state.statusVersion + 1;
    if (byId === state.byId) byId = { ...byId };
    if (!old) ids = ids === state.ids ? [...ids, upload.id] : (ids.push(upload.id), ids);
    byId[upload.id] = upload;
    if (notice) notices = { ...notices, [upload.id]: notice };
  }
  const speeds = computeSpeeds(state.speeds);
  if (byId === state.byId && speeds === state.speeds && notices === state.notices) return scheduleSpeedTick();
  useUploads.setState({ byId, ids, notices, speeds, statusVersion, ...derive(byId, ids, speeds, state) });
  scheduleSpeedTick();
}

/** While anything is sending, speeds are recomputed each second even if no event came (a stall shows). */
let speedTick: ReturnType<typeof setTimeout> | null = null;
function scheduleSpeedTick(): void {
  if (speedTick || Object.keys(useUploads.getState().speeds).length === 0) return;
  speedTick = setTimeout(() => {
    speedTick = null;
    const state = useUploads.getState();
    const speeds = computeSpeeds(state.speeds);
    if (speeds !== state.speeds) useUploads.setState({ speeds, ...derive(state.byId, state.ids, speeds, state) });
    scheduleSpeedTick();
  }, 1000);
}

// ---- loading -------------------------------------------------------------------------------

let generation = 0;

/**
 * Loads every upload, a page of 1000 at a time, and replaces what the store holds (keeping the
 * objects of rows that did not change). Events that arrive meanwhile are applied on top when they
 * are newer than the page that held their upload; where an event and a page disagree about the
 * status and it cannot be told which is newer, that upload is asked for again.
 */
export async function loadUploads(): Promise<void> {
  const mine = ++generation;
  const held = new Map<string, { event: UploadChangedEvent; seq: number }>();
  loadInProgress = { heldEvents: held };
  useUploads.setState({ loading: true });
  try {
    const fresh: UploadSummary[] = [];
    const pageSeq = new Map<string, number>();
    for (let offset = 0; ; ) {
      const page = await call('uploads.list', { offset, limit: PAGE });
      if (mine !== generation) return;
      const seq = ++sequence;
      for (const upload of page.uploads) pageSeq.set(upload.id, seq);
      fresh.push(...page.uploads);
      offset += page.uploads.length;
      if (page.uploads.length === 0 || offset >= page.total) break;
    }
    const state = useUploads.getState();
    const byId: Record<string, UploadSummary> = {};
    const ids: string[] = [];
    for (const upload of fresh) {
      const old = state.byId[upload.id];
      byId[upload.id] = old && sameSummary(old, upload) ? old : upload;
      ids.push(upload.id);
    }
    const unsure: string[] = [];
    for (const [id, { event, seq }] of held) {
      const listedAt = pageSeq.get(id);
      if (listedAt === undefined) {
        if (!byId[id]) ids.push(id);
        byId[id] = event.upload;
      } else if (seq > listedAt) byId[id] = event.upload;
      else if (event.upload.status !== byId[id]!.status) unsure.push(id);
    }
    useUploads.setState({ byId, ids, loaded: true, loading: false, error: null, statusVersion: state.statusVersion + 1, ...derive(byId, ids, state.speeds, state) });
    for (const id of unsure) void refreshOne(id);
  } catch (error) {
    if (mine === generation) useUploads.setState({ loading: false, error: messageOf(error) });
  } finally {
    if (mine === generation) loadInProgress = null;
  }
}

/** Asks the engine for one upload's summary as the ledger holds it now. */
export async function refreshOne(id: string): Promise<void> {
  try {
    const details = await call('uploads.details', { id });
    receiveUploadChanged({ upload: details.upload });
  } catch {
    // gone or unreachable: the next load says what is there
  }
}

/**
 * While another process drives the queue this one hears no events: every few seconds the
 * uploads added since are listed, the unfinished ones are listed again, and those that dropped
 * out of that list (finished) are asked for one by one, or, when many did, everything is loaded again.
 */
export async function pollUnfinished(): Promise<void> {
  if (loadInProgress) return;
  const before = useUploads.getState();
  const seen = new Set<string>();
  try {
    // Uploads added since (the list is oldest first, so they come after those known): one that
    // was queued and verified between two looks is never among the unfinished.
    const added = await call('uploads.list', { offset: before.ids.length, limit: PAGE });
    for (const upload of added.uploads) if (!useUploads.getState().byId[upload.id]) receiveUploadChanged({ upload });
    if (added.total > before.ids.length + PAGE) {
      await loadUploads();
      return;
    }
    for (let offset = 0; ; ) {
      const page = await call('uploads.list', { status: [...unfinishedStatuses], offset, limit: PAGE });
      for (const upload of page.uploads) {
        seen.add(upload.id);
        const old = useUploads.getState().byId[upload.id];
        if (!old || !sameSummary(old, upload)) receiveUploadChanged({ upload });
      }
      offset += page.uploads.length;
      if (page.uploads.length === 0 || offset >= page.total) break;
    }
  } catch {
    return;
  }
  const finished = before.ids.filter((id) => unfinished.has(before.byId[id]!.status) && !seen.has(id));
  if (finished.length > 50) await loadUploads();
  else await Promise.all(finished.map(refreshOne));
}
