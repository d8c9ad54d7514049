import { describe, expect, it } from 'vitest';
import type { QueueState, UploadSummary } from '../src/shared/upload';
import { queueSentence } from '../src/renderer/shell/queueSentence';
import { etaSeconds, SpeedMeter } from '../src/renderer/state/speeds';
import { progressText, statusDetail } from '../src/renderer/views/queue/rowText';

/** What the queue view and status line say, from the figures the engine sends (no browser needed). */

const MIB = 1024 * 1024;
const upload = (over: Partial<UploadSummary>): UploadSummary => ({
  id: 'u1', connectionId: 'c1', sourcePath: '/books/novel.pdf', objectKey: 'books/content/novel.pdf', category: 'manuscript',
  size: 40 * MIB, bytesDone: 0, status: 'queued', method: 'multipart', visibility: 'private', sha256: null, etag: null, attempts: 0, retryAfter: null,
  error: null, createdAt: 0, verifiedAt: null, notice: null, optimize: null, image: null, imageSet: null, ...over,
});
const queue = (over: Partial<QueueState>): QueueState => ({ state: 'idle', active: 0, pending: 0, offline: [], halted: null, ...over });
const open = { status: 'open' as const, nextAttemptAt: null, failures: 0 };

describe('speed over a moving window', () => {
  it('is the bytes over the last seconds, not since the start', () => {
    const meter = new SpeedMeter();
    meter.record('u1', 0, 0);
    meter.record('u1', 10 * MIB, 1000); // a fast first second...
    meter.record('u1', 11 * MIB, 6000); // ...then 1 MiB in five
    meter.record('u1', 12 * MIB, 7000);
    expect(meter.speedOf('u1', 7000)).toBe(MIB);
  });

  it('starts again when fewer bytes are reported (the upload began anew), and says stalled after a silent window', () => {
    const meter = new SpeedMeter();
    meter.record('u1', 20 * MIB, 0);
    meter.record('u1', 2 * MIB, 1000);
    meter.record('u1', 4 * MIB, 2000);
    expect(meter.speedOf('u1', 2000)).toBe(2 * MIB);
    expect(meter.speedOf('u1', 8000)).toBe(0);
    expect(meter.speedOf('other', 8000)).toBeNull();
  });

  it('gives an ETA only with a speed', () => {
    expect(etaSeconds(10 * MIB, 4 * MIB, 2 * MIB)).toBe(3);
    expect(etaSeconds(10 * MIB, 4 * MIB, 0)).toBeNull();
  });
});

describe('what a row says', () => {
  it('says why an upload waits and when it tries again', () => {
    const waiting = upload({ status: 'waiting', retryAfter: 12_000, error: { code: 'endpoint_unreachable', message: 'The endpoint does not answer', retryable: true } });
    expect(statusDetail(waiting, undefined, 0)).toBe('The endpoint does not answer · tries again in 12 s');
  });

  it('keeps the engine\'s notice of a resume and the failure\'s own message', () => {
    expect(statusDetail(upload({ status: 'uploading' }), 'resumed at 63%: 5 of 8 parts were already in the bucket', 0)).toBe('resumed at 63%: 5 of 8 parts were already in the bucket');
    expect(statusDetail(upload({ status: 'uploading', notice: 'resumed at 50%: 2 of 4 parts were already in the bucket' }), undefined, 0)).toContain('resumed at 50%');
    expect(statusDetail(upload({ status: 'failed', error: { code: 'file_missing', message: '/books/novel.pdf is no longer there. Put it back.', retryable: true } }), undefined, 0)).toBe('/books/novel.pdf is no longer there. Put it back.');
    expect(statusDetail(upload({ status: 'completing' }), undefined, 0)).toBe('Checking the object in the bucket');
  });

  it('shows speed and time left only while sending', () => {
    expect(progressText(upload({ status: 'uploading', bytesDone: 10 * MIB }), 2 * MIB)).toBe('10.0 MiB of 40.0 MiB · 2.0 MiB/s · 0:15 left');
    expect(progressText(upload({ status: 'uploading', bytesDone: 10 * MIB }), 0)).toBe('10.0 MiB of 40.0 MiB · stalled');
    expect(progressText(upload({ status: 'paused', bytesDone: 10 * MIB }), 2 * MIB)).toBe('10.0 MiB of 40.0 MiB');
  });
});

describe('the status line', () => {
  it('names the offline endpoint and counts down to the next try', () => {
    const offline = queue({ state: 'waiting', offline: [{ connectionId: 'c1', endpoint: 'https://nyc3.digitaloceanspaces.com', nextProbeAt: 12_000 }] });
    expect(queueSentence(open, offline, 0).text).toBe('Waiting offline for https://nyc3.digitaloceanspaces.com, next try in 12 s');
  });

  it('says a halt with the engine\'s message, a pause, another driver, and idle', () => {
    expect(queueSentence(open, queue({ state: 'halted', halted: { code: 'disk_full', message: 'The disk holding the ledger is full', retryable: true } }), 0)).toMatchObject({ tone: 'danger', text: expect.stringContaining('The disk holding the ledger is full') });
    expect(queueSentence(open, queue({ state: 'paused' }), 0).text).toMatch(/^Paused/);
    expect(queueSentence(open, queue({ state: 'elsewhere' }), 0).text).toMatch(/^Another Quire drives the queue/);
    expect(queueSentence(open, queue({ state: 'idle' }), 0).text).toBe('Online · idle');
  });

  it('says when the page cannot reach Quire, before anything the queue last said', () => {
    const sentence = queueSentence({ status: 'reconnecting', nextAttemptAt: 4000, failures: 3 }, queue({ state: 'running', active: 2 }), 0);
    expect(sentence.text).toMatch(/^Quire is not reachable, trying again in 4 s/);
  });
});

describe('the status line after quire serve was started again', () => {
  it('asks for the new address when the host answers but refuses this page', () => {
    expect(queueSentence({ status: 'refused', nextAttemptAt: null, failures: 4 }, queue({ state: 'running' }), 0).text).toMatch(/^Quire was started again .* open the new address/);
  });
});
