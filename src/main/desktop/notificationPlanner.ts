import { formatBytes } from '../../shared/format';
import type { AppShowEvent } from '../../shared/desktop';
import type { ErrorCode } from '../../shared/errors';
import type { ConnectionRefusedEvent, UploadChangedEvent } from '../../shared/upload';
import type { QuotaState, UsageReport } from '../../shared/usage';
import type { FinishedBatch } from './batchTracker';

export interface DesktopNotification {
  title: string;
  body: string;
  /** Where a click takes the window. */
  opens: AppShowEvent;
}

/**
 * Failures the author must act on (trying again alone will not fix them), in the words a
 * notification uses for one of them. Other failures wait for the batch's summary.
 */
const NEEDS_AUTHOR: Partial<Record<ErrorCode, string>> = {
  file_changed: 'keeps changing while it uploads: save it and close it, then retry',
  access_denied: 'was refused: the keys may not write to this bucket',
  invalid_access_key: 'was refused: the access key is not known to the server',
  signature_mismatch: 'was refused: the secret key does not match the access key',
  no_such_bucket: 'cannot go: the bucket does not exist',
  disk_full: 'stopped: the disk is full; free some space and Quire goes on',
  clock_skew: 'was refused: this computer’s clock is wrong',
  secret_missing: 'cannot go: the connection’s secret is missing from the keychain',
  keychain_unavailable: 'cannot go: the keychain is locked or unavailable',
};

/** A burst of failures of one kind within this long becomes one notification. */
export const ATTENTION_GATHER_MS = 2000;
/** The same kind of trouble is not told again within this long. */
export const ATTENTION_QUIET_MS = 10 * 60 * 1000;

const QUOTA_RANK: Record<QuotaState, number> = { normal: 0, high: 1, warning: 2, over: 3 };

interface Gathering {
  code: ErrorCode;
  connectionId: string;
  uploadIds: string[];
  firstName: string;
  timer: NodeJS.Timeout;
}

/**
 * When the desktop app notifies, and what it says: once per finished batch ("12 files verified,
 * 1.4 GB"), and when an upload needs the author (a refused key, a file that keeps changing, a full
 * disk, a quota crossed) — gathered, so 500 files refused for one reason make one notification,
 * never one per file. Each notification says where a click takes the window. `enabled` is read at
 * each one: the author's setting turns them off at once.
 */
export class NotificationPlanner {
  private readonly gathering = new Map<string, Gathering>();
  private readonly lastTold = new Map<string, number>();
  private readonly quotaStates = new Map<string, QuotaState>();

  constructor(
    private readonly notify: (notification: DesktopNotification) => void,
    private readonly enabled: () => boolean,
    private readonly clock: () => number = Date.now,
  ) {}

  batchFinished(batch: FinishedBatch): void {
    if (batch.verified === 0 && batch.failed === 0) return;
    const files = (count: number) => `${count.toLocaleString('en-US')} ${count === 1 ? 'file' : 'files'}`;
    const title = batch.verified > 0 ? `${files(batch.verified)} verified, ${formatBytes(batch.verifiedBytes)}` : `${files(batch.failed)} could not upload`;
    const body = batch.failed > 0 && batch.verified > 0 ? `${files(batch.failed)} could not upload: see the queue.` : batch.failed > 0 ? 'See the queue for why.' : 'Every byte in the bucket matches the file on disk.';
    const opens: AppShowEvent = batch.failed > 0 && batch.firstFailedId ? { view: 'queue', uploadId: batch.firstFailedId } : { view: 'history' };
    this.tell({ title, body, opens });
  }

  uploadChanged(event: UploadChangedEvent): void {
    const { upload } = event;
    const code = upload.error?.code;
    if (!code || (upload.status !== 'failed' && upload.status !== 'waiting')) return;
    if (!NEEDS_AUTHOR[code]) return;
    this.gather(code, upload.connectionId, upload.id, upload.sourcePath);
  }

  /** The server refused a connection's keys or bucket: its queued files failed with it at once. */
  connectionRefused(event: ConnectionRefusedEvent): void {
    const key = `${event.error.code}|${event.connectionId}`;
    if (!this.dueAgain(key)) return;
    this.tell({ title: `Uploads to “${event.connection}” stopped`, body: event.error.message, opens: { view: 'connections' } });
  }

  /** A connection's usage: crossing into warning (over 90%) or over the quota is told, once per crossing. */
  usageChanged(report: UsageReport): void {
    const before = this.quotaStates.get(report.connectionId);
    const now = report.quota.state;
    this.quotaStates.set(report.connectionId, now);
    if (before === undefined || QUOTA_RANK[now] <= QUOTA_RANK[before] || QUOTA_RANK[now] < QUOTA_RANK.warning) return;
    const title = now === 'over' ? `“${report.connection}” is over its quota` : `“${report.connection}” is at ${report.quota.usedPercent}% of its quota`;
    this.tell({ title, body: `${report.quota.usedPercent}% of ${formatBytes(report.quota.bytes)} used. See Storage for what takes the space.`, opens: { view: 'storage' } });
  }

  /** Stops the timers of bursts still gathering (the app is quitting). */
  dispose(): void {
    for (const gathering of this.gathering.values()) clearTimeout(gathering.timer);
    this.gathering.clear();
  }

  private gather(code: ErrorCode, connectionId: string, uploadId: string, path: string): void {
    const key = `${code}|${connectionId}`;
    const open = this.gathering.get(key);
    if (open) {
      if (!open.uploadIds.includes(uploadId)) open.uploadIds.push(uploadId);
      return;
    }
    if (!this.dueAgain(key, false)) return;
    const timer = setTimeout(() => this.tellGathered(key), ATTENTION_GATHER_MS);
    timer.unref?.();
    this.gathering.set(key, { code, connectionId, uploadIds: [uploadId], firstName: baseName(path), timer });
  }

  private tellGathered(key: string): void {
    const gathered = this.gathering.get(key);
    if (!gathered) return;
    this.gathering.delete(key);
    this.lastTold.set(key, this.clock());
    const what = NEEDS_AUTHOR[gathered.code]!;
    const others = gathered.uploadIds.length - 1;
    const title = others > 0 ? `${gathered.firstName} and ${others.toLocaleString('en-US')} more need you` : `${gathered.firstName} needs you`;
    this.tell({ title, body: `${gathered.firstName} ${what}.`, opens: { view: 'queue', uploadId: gathered.uploadIds[0]! } });
  }

  /** Whether this kind of trouble may be told now (not told within the quiet period); marks it told when `mark`. */
  private dueAgain(key: string, mark = true): boolean {
    const last = this.lastTold.get(key);
    if (last !== undefined && this.clock() - last < ATTENTION_QUIET_MS) return false;
    if (mark) this.lastTold.set(key, this.clock());
    return true;
  }

  private tell(notification: DesktopNotification): void {
    if (this.enabled()) this.notify(notification);
  }
}

function baseName(path: string): string {
  return path.split(/[\\/]/).pop() || path;
}
