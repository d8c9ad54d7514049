import { describe, expect, it } from 'vitest';
import type { QueueState, UploadChangedEvent, UploadSummary } from '../src/shared/upload';
import { BatchTracker } from '../src/main/desktop/batchTracker';
import { trayStatus } from '../src/main/desktop/trayStatus';
import { openScriptedWorld } from './support/scriptedWorld';
import { waitFor } from './support/waitFor';

const MB = 1024 * 1024;

function upload(id: string, status: UploadSummary['status'], size: number, bytesDone = 0, error: UploadSummary['error'] = null): UploadChangedEvent {
  return { upload: { id, connectionId: 'c', sourcePath: `/books/${id}.wav`, objectKey: `audiobooks/chapters/${id}.wav`, category: 'audio', size, bytesDone, status, method: 'multipart', visibility: 'private', sha256: null, etag: null, attempts: 0, retryAfter: null, error, createdAt: 0, verifiedAt: null, notice: null, optimize: null, image: null, imageSet: null } };
}

function queue(state: QueueState['state'], active: number, pending: number, extra: Partial<QueueState> = {}): QueueState {
  return { state, active, pending, offline: [], halted: null, ...extra };
}

describe('the batch the desktop app reports on', () => {
  it('follows the bytes of every upload the queue works on, and ends with one summary when it is idle', () => {
    const batch = new BatchTracker();
    expect(batch.queueChanged(queue('running', 1, 2))).toBeNull();
    batch.uploadChanged(upload('a', 'uploading', 100 * MB, 20 * MB));
    batch.uploadChanged({ ...upload('a', 'uploading', 100 * MB, 20 * MB), bytesSending: 5 * MB });
    batch.uploadChanged(upload('b', 'queued', 300 * MB));
    expect(batch.progress()).toEqual({ files: 2, done: 0, bytes: 400 * MB, bytesDone: 25 * MB });
    batch.uploadChanged(upload('a', 'verified', 100 * MB, 100 * MB));
    batch.uploadChanged(upload('b', 'failed', 300 * MB, 0, { code: 'access_denied', message: 'refused', retryable: false }));
    batch.uploadChanged(upload('c', 'cancelled', 5 * MB));
    expect(batch.progress()).toEqual({ files: 2, done: 2, bytes: 400 * MB, bytesDone: 400 * MB });
    expect(batch.queueChanged(queue('idle', 0, 0))).toEqual({ verified: 1, verifiedBytes: 100 * MB, failed: 1, firstFailedId: 'b' });
    // Told once: the next idle state is no new batch.
    expect(batch.queueChanged(queue('idle', 0, 0))).toBeNull();
    expect(batch.progress()).toBeNull();
  });

  it('waits for the last files\' "verified" when the queue says idle first', () => {
    const batch = new BatchTracker();
    batch.queueChanged(queue('running', 1, 0));
    batch.uploadChanged(upload('a', 'uploading', 10, 5));
    expect(batch.queueChanged(queue('idle', 0, 0))).toBeNull();
    expect(batch.uploadChanged(upload('a', 'verified', 10, 10))).toEqual({ verified: 1, verifiedBytes: 10, failed: 0, firstFailedId: null });
  });

  it('sums up 12 small files a real queue verified as one batch of 12', async ({ onTestFinished }) => {
    const world = await openScriptedWorld(onTestFinished);
    const batch = new BatchTracker();
    const summaries: unknown[] = [];
    const keep = (finished: unknown) => finished && summaries.push(finished);
    world.engine.events.on('upload.changed', (event) => keep(batch.uploadChanged(event)));
    world.engine.events.on('queue.state', (state) => keep(batch.queueChanged(state)));
    for (let i = 0; i < 12; i++) await world.queue(`note-${i}.txt`, 100 + i);
    await world.engine.run();
    await waitFor('the batch to end', () => summaries.length > 0, 5000, 5);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(summaries).toEqual([{ verified: 12, verifiedBytes: 12 * 100 + 66, failed: 0, firstFailedId: null }]);
  });

  it('makes 500 verified files one summary', () => {
    const batch = new BatchTracker();
    batch.queueChanged(queue('running', 16, 484));
    for (let i = 0; i < 500; i++) batch.uploadChanged(upload(`f${i}`, 'verified', 2 * MB, 2 * MB));
    expect(batch.queueChanged(queue('running', 0, 0))).toEqual({ verified: 500, verifiedBytes: 1000 * MB, failed: 0, firstFailedId: null });
  });
});

describe('the tray and the taskbar', () => {
  it('says what is going on, with the counts and the share of the batch sent', () => {
    const status = trayStatus(queue('running', 2, 3), { files: 5, done: 1, bytes: 1000 * MB, bytesDone: 250 * MB }, 1);
    expect(status.tooltip).toBe('Quire — Uploading — 250.0 MiB of 1000.0 MiB (25%)\n2 uploading, 3 waiting, 1 failed');
    expect(status).toMatchObject({ progress: 0.25, progressMode: 'normal', counts: { uploading: 2, waiting: 3, failed: 1 }, canPauseAll: true, canResumeAll: true });
  });

  it('shows offline, paused, stopped and done apart, and a bar only while there is work', () => {
    expect(trayStatus(queue('waiting', 0, 4, { offline: [{ connectionId: 'c', endpoint: 'https://x', nextProbeAt: 0 }] }), { files: 4, done: 0, bytes: 10, bytesDone: 5 }, 0).tooltip).toMatch(/^Quire — Offline: uploads go on when the connection is back\n0 uploading, 4 waiting$/);
    const paused = trayStatus(queue('paused', 0, 4), { files: 4, done: 0, bytes: 10, bytesDone: 5 }, 0);
    expect(paused).toMatchObject({ progressMode: 'paused', progress: 0.5, canPauseAll: false, canResumeAll: true });
    const done = trayStatus(queue('idle', 0, 0), null, 0);
    expect(done).toMatchObject({ tooltip: 'Quire — All uploads done\n0 uploading, 0 waiting', progress: -1, progressMode: 'none', canResumeAll: false });
    expect(trayStatus(queue('halted', 0, 2, { halted: { code: 'disk_full', message: 'The disk is full.', retryable: true } }), null, 0)).toMatchObject({ progressMode: 'error', tooltip: expect.stringMatching(/Stopped: The disk is full\./) });
  });
});
