import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { UploadChangedEvent, UploadSummary } from '../src/shared/upload';
import type { UsageReport } from '../src/shared/usage';
import { ATTENTION_GATHER_MS, ATTENTION_QUIET_MS, NotificationPlanner, type DesktopNotification } from '../src/main/desktop/notificationPlanner';

const MIB = 1024 * 1024;

function failed(id: string, code: NonNullable<UploadSummary['error']>['code'], status: UploadSummary['status'] = 'failed', connectionId = 'c1'): UploadChangedEvent {
  return { upload: { id, connectionId, sourcePath: `/home/a/book/${id}.pdf`, objectKey: `books/content/${id}.pdf`, category: 'manuscript', size: 10, bytesDone: 0, status, method: 'single', visibility: 'private', sha256: null, etag: null, attempts: 1, retryAfter: null, error: { code, message: 'x', retryable: false }, createdAt: 0, verifiedAt: null, notice: null, optimize: null, image: null, imageSet: null } };
}

function usage(state: UsageReport['quota']['state'], usedPercent: number): UsageReport {
  return { connectionId: 'c1', connection: 'books', quota: { bytes: 250 * 1024 ** 3, usedPercent, state, isDefault: true } } as UsageReport;
}

describe('desktop notifications', () => {
  let told: DesktopNotification[];
  let enabled: boolean;
  let now: number;
  let planner: NotificationPlanner;

  beforeEach(() => {
    vi.useFakeTimers();
    told = [];
    enabled = true;
    now = 1_000_000;
    planner = new NotificationPlanner((n) => told.push(n), () => enabled, () => now);
  });
  afterEach(() => {
    planner.dispose();
    vi.useRealTimers();
  });

  it('tells a finished batch once, in a line, and opens History (or the first failure) when clicked', () => {
    planner.batchFinished({ verified: 12, verifiedBytes: 1.4 * 1024 * MIB, failed: 0, firstFailedId: null });
    expect(told).toEqual([{ title: '12 files verified, 1.4 GiB', body: 'Every byte in the bucket matches the file on disk.', opens: { view: 'history' } }]);
    planner.batchFinished({ verified: 499, verifiedBytes: 499 * MIB, failed: 1, firstFailedId: 'u9' });
    expect(told[1]).toEqual({ title: '499 files verified, 499.0 MiB', body: '1 file could not upload: see the queue.', opens: { view: 'queue', uploadId: 'u9' } });
  });

  it('gathers 500 files refused for one reason into one notification naming the first, and does not repeat it soon', () => {
    for (let i = 0; i < 500; i++) planner.uploadChanged(failed(`f${i}`, 'access_denied'));
    expect(told).toEqual([]);
    vi.advanceTimersByTime(ATTENTION_GATHER_MS);
    expect(told).toEqual([{ title: 'f0.pdf and 499 more need you', body: 'f0.pdf was refused: the keys may not write to this bucket.', opens: { view: 'queue', uploadId: 'f0' } }]);
    // The same trouble again a minute later: already told.
    now += 60_000;
    planner.uploadChanged(failed('g1', 'access_denied'));
    vi.advanceTimersByTime(ATTENTION_GATHER_MS);
    expect(told).toHaveLength(1);
    // Past the quiet period it is told again.
    now += ATTENTION_QUIET_MS;
    planner.uploadChanged(failed('g2', 'access_denied'));
    vi.advanceTimersByTime(ATTENTION_GATHER_MS);
    expect(told).toHaveLength(2);
  });

  it('tells a file that keeps changing and a full disk, but not failures a retry may fix', () => {
    planner.uploadChanged(failed('draft', 'file_changed', 'waiting'));
    planner.uploadChanged(failed('chapter', 'disk_full'));
    planner.uploadChanged(failed('net', 'endpoint_unreachable', 'waiting'));
    planner.uploadChanged(failed('s3', 's3_error'));
    vi.advanceTimersByTime(ATTENTION_GATHER_MS);
    expect(told.map((n) => n.body)).toEqual(['draft.pdf keeps changing while it uploads: save it and close it, then retry.', 'chapter.pdf stopped: the disk is full; free some space and Quire goes on.']);
  });

  it('tells a quota crossed into warning or over, once per crossing', () => {
    planner.usageChanged(usage('high', 85));
    planner.usageChanged(usage('warning', 91));
    planner.usageChanged(usage('warning', 92));
    planner.usageChanged(usage('over', 101));
    expect(told.map((n) => n.title)).toEqual(['“books” is at 91% of its quota', '“books” is over its quota']);
    expect(told[0]!.opens).toEqual({ view: 'storage' });
  });

  it('says nothing when the author turned notifications off', () => {
    enabled = false;
    planner.batchFinished({ verified: 3, verifiedBytes: 3, failed: 0, firstFailedId: null });
    planner.uploadChanged(failed('x', 'disk_full'));
    vi.advanceTimersByTime(ATTENTION_GATHER_MS);
    planner.connectionRefused({ connectionId: 'c1', connection: 'books', error: { code: 'invalid_access_key', message: 'The access key is not known.', retryable: false } });
    expect(told).toEqual([]);
  });
});
