import { DEFAULT_QUOTA_BYTES, OTHER_AREA, quotaState, spacesPrices, usageAreas, type AreaUsage, type Prices, type ScanProgress, type UsageReport } from '../../../shared/usage';
import type { ConnectionSummary } from '../../../shared/connection';
import type { BatchQuota } from '../../../shared/upload';
import type { ObjectStore } from '../s3/gateway';
import { scanBucket, type ScanFigures } from './bucketScan';
import { estimateCost } from './costEstimate';
import type { UsageRepository } from './usageRepository';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Progress goes to hosts at most this often while a scan lists pages. */
const PROGRESS_EVERY_MS = 500;

export interface UsagePorts {
  repository: UsageRepository;
  gatewayFor: (connection: ConnectionSummary) => Promise<ObjectStore>;
  /** Prefixes listed side by side: within the connection's request budget. */
  unitsAtOnce: () => number;
  /** A connection's usage changed (a scan's progress or end): hosts hear of it. */
  changed: (report: UsageReport) => void;
  clock: () => number;
}

/**
 * What each connection's bucket holds and costs: the last scan's snapshot, kept current by the
 * uploads Quire verified since, with the quota's state and the month's cost. Scans run in the
 * background of the process that asks (the app, `quire usage --refresh`), one per connection.
 */
export class UsageService {
  private readonly running = new Map<string, { controller: AbortController; done: Promise<void> }>();
  private readonly figures = new Map<string, ScanFigures>();

  constructor(private readonly ports: UsagePorts) {}

  report(connection: ConnectionSummary, options: { egressGiB?: number } = {}): UsageReport {
    const { repository } = this.ports;
    const scan = repository.scan(connection.id);
    const scannedAt = scan?.finishedAt ?? null;
    const byArea = new Map<string, AreaUsage>([...usageAreas, OTHER_AREA].map((area) => [area, { area, objects: 0, bytes: 0 }]));
    for (const area of repository.snapshot(connection.id)) byArea.set(area.area, { ...area });
    // Quire's own uploads since the snapshot: the figures stay current between scans. (An upload
    // that replaced an object counts as a new one until the next scan.)
    const sinceScan = { objects: 0, bytes: 0 };
    for (const since of repository.verifiedSinceByArea(connection.id, scannedAt ?? 0)) {
      const area = byArea.get(since.area)!;
      area.objects += since.objects;
      area.bytes += since.bytes;
      sinceScan.objects += since.objects;
      sinceScan.bytes += since.bytes;
    }
    const areas = [...byArea.values()];
    let totals = areas.reduce((sum, area) => ({ objects: sum.objects + area.objects, bytes: sum.bytes + area.bytes }), { objects: 0, bytes: 0 });
    // A scan under way with the server's own count has exact totals newer than the areas':
    // the quota and the cost go by them (with Quire's uploads since the count).
    const counted = scan && scan.state !== 'done' && scan.statsObjects !== null && scan.statsBytes !== null;
    if (counted) {
      totals = { objects: scan.statsObjects!, bytes: scan.statsBytes! };
      for (const since of repository.verifiedSinceByArea(connection.id, scan.startedAt)) {
        totals.objects += since.objects;
        totals.bytes += since.bytes;
      }
    }
    const unfinished = { uploads: scan?.unfinishedUploads ?? 0, bytes: scan?.unfinishedBytes ?? 0 };
    const { quotaBytes, prices } = repository.quotaOf(connection.id);
    const quota = quotaBytes ?? DEFAULT_QUOTA_BYTES;
    // Parts of unfinished uploads are stored and billed like objects.
    const stored = totals.bytes + unfinished.bytes;
    const now = this.ports.clock();
    return {
      connectionId: connection.id,
      connection: connection.name,
      scannedAt,
      totals,
      totalsFrom: counted ? 'bucket-stats' : 'snapshot',
      areas,
      sinceScan,
      unfinished,
      scan: scan ? this.progressOf(scan) : null,
      quota: { bytes: quota, usedPercent: Math.round((stored / quota) * 1000) / 10, state: quotaState(stored, quota), isDefault: quotaBytes === null },
      cost: estimateCost(stored, prices ?? spacesPrices, { egressGiB: options.egressGiB ?? 0, bytesPerDay: repository.bytesVerifiedSince(connection.id, now - 30 * DAY_MS) / 30 }),
    };
  }

  /** The quota with a batch of `addedBytes` added: what a preview warns with before anything is sent. */
  batchQuota(connection: ConnectionSummary, addedBytes: number): BatchQuota {
    const report = this.report(connection);
    const usedBytes = report.totals.bytes + report.unfinished.bytes;
    const quotaBytes = report.quota.bytes;
    return { quotaBytes, usedBytes, addedBytes, stateNow: report.quota.state, stateAfter: quotaState(usedBytes + addedBytes, quotaBytes), overByBytes: Math.max(0, usedBytes + addedBytes - quotaBytes) };
  }

  /** Starts (or goes on with) a scan of this connection's bucket; resolves when it has ended, however. */
  scan(connection: ConnectionSummary): Promise<void> {
    const running = this.running.get(connection.id);
    if (running) return running.done;
    const controller = new AbortController();
    let lastSent = Number.NEGATIVE_INFINITY;
    const done = (async () => {
      try {
        const gateway = await this.ports.gatewayFor(connection);
        await scanBucket(connection.id, gateway, this.ports.repository, {
          unitsAtOnce: this.ports.unitsAtOnce(),
          signal: controller.signal,
          clock: this.ports.clock,
          progress: (figures) => {
            this.figures.set(connection.id, figures);
            if (performance.now() - lastSent < PROGRESS_EVERY_MS) return;
            lastSent = performance.now();
            this.ports.changed(this.report(connection));
          },
        });
      } catch (error) {
        const cancelled = controller.signal.aborted;
        this.ports.repository.stop(connection.id, cancelled ? 'cancelled' : 'failed', cancelled ? null : error instanceof Error ? error.message : String(error), this.ports.clock());
      } finally {
        this.running.delete(connection.id);
        this.ports.changed(this.report(connection));
        this.figures.delete(connection.id);
      }
    })();
    this.running.set(connection.id, { controller, done });
    return done;
  }

  /** Stops this connection's scan; the pages listed stay, and the next scan goes on from them. */
  async cancel(connectionId: string): Promise<void> {
    const running = this.running.get(connectionId);
    if (!running) return;
    running.controller.abort();
    await running.done;
  }

  setQuota(connection: ConnectionSummary, values: { quotaBytes?: number | null; prices?: Prices | null }): UsageReport {
    this.ports.repository.setQuota(connection.id, values);
    return this.report(connection);
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.running.keys()].map((id) => this.cancel(id)));
  }

  /**
   * A scan whose process died still says "running" in the ledger: it is running here, or in another
   * live process (the data folder is this machine's, so its PID tells); otherwise it was interrupted.
   */
  private stateOf(scan: NonNullable<ReturnType<UsageRepository['scan']>>): ScanProgress['state'] {
    if (scan.state !== 'running' || this.running.has(scan.connectionId)) return scan.state;
    return scan.pid !== null && scan.pid !== process.pid && processAlive(scan.pid) ? 'running' : 'interrupted';
  }

  private progressOf(scan: NonNullable<ReturnType<UsageRepository['scan']>>): ScanProgress {
    const figures = this.figures.get(scan.connectionId) ?? (scan.state === 'done' ? undefined : this.ports.repository.unitFigures(scan.connectionId));
    const snapshotTotals = scan.state === 'done' ? this.ports.repository.snapshot(scan.connectionId).reduce((sum, area) => ({ objects: sum.objects + area.objects, bytes: sum.bytes + area.bytes }), { objects: 0, bytes: 0 }) : null;
    return {
      state: this.stateOf(scan),
      method: scan.method,
      serverTotals: scan.statsObjects !== null && scan.statsBytes !== null ? { objects: scan.statsObjects, bytes: scan.statsBytes } : null,
      startedAt: scan.startedAt,
      finishedAt: scan.finishedAt,
      objectsSeen: snapshotTotals?.objects ?? figures?.objectsSeen ?? 0,
      bytesSeen: snapshotTotals?.bytes ?? figures?.bytesSeen ?? 0,
      unitsDone: figures?.unitsDone ?? 0,
      units: figures?.units ?? 0,
      error: scan.error,
    };
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user (not ours to drive, but alive).
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
