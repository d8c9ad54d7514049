import { writeFile } from 'node:fs/promises';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Engine } from '../src/main/core/engine';
import { toUploadSummary } from '../src/main/core/upload/uploadSummary';
import { enteredFrom, uploadStatuses, type UploadStatus } from '../src/shared/uploadStatus';
import { s3Errors } from './support/scriptedBucket';
import { openScriptedWorld } from './support/scriptedWorld';
import { waitFor } from './support/waitFor';

const MIB = 1024 * 1024;
const HOUR = 3600_000;

/**
 * The fast tier: the scheduler and the upload state machine over a real SQLite ledger and real
 * files, with a scripted bucket behind the gateway port and a clock moved by hand. Seconds, not
 * minutes; the same behaviours against radosgw are in the integration tier.
 */
describe.concurrent('the upload state machine and the scheduler', () => {
  it('takes every move the state machine lists and refuses every other', async ({ onTestFinished }) => {
    const world = await openScriptedWorld(onTestFinished);
    const id = await world.queue('moves.txt', 10);
    const { uploads } = world.engine;
    // Put there through a connection of its own, as any earlier process might have left it.
    const raw = new Database(join(world.dataDir, 'ledger.sqlite'));
    onTestFinished(() => void raw.close());
    const setStatus = (status: UploadStatus) => raw.prepare('UPDATE uploads SET status = ? WHERE id = ?').run(status, id);
    let tried = 0;
    for (const from of uploadStatuses) {
      for (const to of uploadStatuses) {
        setStatus(from);
        const moved = to === 'verified' ? uploads.markVerified(id, { objectKey: 'k', etag: 'e', size: 10, sha256: null }) : uploads.move(id, to);
        const allowed = enteredFrom[to].includes(from);
        expect(moved, `${from} -> ${to}`).toBe(allowed);
        expect(uploads.statusOf(id), `${from} -> ${to}`).toBe(allowed ? to : from);
        tried += 1;
      }
    }
    expect(tried).toBe(uploadStatuses.length ** 2);
    // Nothing leaves verified: a finished upload is never re-opened by a late job.
    expect(uploadStatuses.filter((to) => enteredFrom[to].includes('verified'))).toEqual([]);
  });

  it('uploads small and multipart files, and every event says what the ledger holds at that moment', async ({ onTestFinished }) => {
    const world = await openScriptedWorld(onTestFinished, { partSize: 5 * MIB });
    const mismatches: string[] = [];
    world.engine.events.on('upload.changed', ({ upload }) => {
      const row = world.engine.uploads.get(upload.id)!;
      if (JSON.stringify(toUploadSummary(row)) !== JSON.stringify(upload)) mismatches.push(`${upload.id} ${upload.status} vs ${row.status}`);
    });
    const small = await world.queue('cover.jpg', 300);
    const large = await world.queue('chapter.wav', 12 * MIB);
    expect(await world.engine.run()).toMatchObject({ verified: 2, failed: 0 });
    expect(mismatches).toEqual([]);
    const statusesOf = (id: string) => [...new Set(world.events.filter((e) => e.upload.id === id).map((e) => e.upload.status))];
    // Changes closer together than the interval are coalesced: the later state is what is sent.
    for (const id of [small, large]) {
      expect(statusesOf(id)[0]).toBe('queued');
      expect(statusesOf(id).at(-1)).toBe('verified');
    }
    expect(world.events.length).toBeGreaterThanOrEqual(4);
    expect(world.bucket.objects.get('audiobooks/chapters/chapter.wav')?.body.length).toBe(12 * MIB);
    expect(world.bucket.uploads.size).toBe(0);
  });

  it('sends at most ten events a second per upload, and always the last state', async ({ onTestFinished }) => {
    const world = await openScriptedWorld(onTestFinished, { partSize: 5 * MIB });
    const id = await world.queue('long.flac', 60 * MIB);
    expect(await world.engine.run()).toMatchObject({ verified: 1 });
    const times: number[] = [];
    world.events.length = 0;
    world.engine.events.on('upload.changed', (event) => event.upload.id === id && times.push(performance.now()));
    world.engine.resume([id]); // nothing to resume: no event, no write
    expect(times).toEqual([]);
    // Twelve parts finish in a burst: far fewer events than changes, none closer than 100 ms.
    const again = await world.queue('long2.flac', 60 * MIB);
    const stamps: number[] = [];
    world.engine.events.on('upload.changed', (event) => event.upload.id === again && stamps.push(performance.now()));
    await world.engine.run();
    for (let i = 1; i < stamps.length; i += 1) expect(stamps[i]! - stamps[i - 1]!).toBeGreaterThanOrEqual(95);
    expect(world.events.filter((e) => e.upload.id === again).at(-1)?.upload.status).toBe('verified');
  });

  it('counts retries in the row, so the limit holds across a restart', async ({ onTestFinished }) => {
    const world = await openScriptedWorld(onTestFinished, { maxWaits: 2 });
    world.bucket.fail('putObject', s3Errors.slowDown, Number.POSITIVE_INFINITY);
    const id = await world.queue('stubborn.txt', 100);
    world.engine.start();
    await world.until(id, 'a first wait', (row) => row.status === 'waiting' && row.waitCount === 1);
    await world.restart();
    world.engine.start();
    world.clock.advance(HOUR);
    await world.until(id, 'a second wait, after the restart', (row) => row.status === 'waiting' && row.waitCount === 2);
    world.clock.advance(HOUR);
    await world.until(id, 'giving up', (row) => row.status === 'failed');
    const row = world.engine.uploads.get(id)!;
    expect(row).toMatchObject({ waitCount: 3, errorRetryable: true });
    expect(row.errorMessage).toContain('stubborn.txt');
    expect(world.bucket.count('putObject')).toBe(3);
    // The author's resume counts afresh.
    world.bucket.fail('putObject', s3Errors.slowDown, 0);
    expect(world.engine.resume([id])[0]).toMatchObject({ status: 'queued' });
    expect(world.engine.uploads.get(id)!.waitCount).toBe(0);
  });

  it('pauses while the last answer is on its way, and on resume finds the file in the bucket and sends nothing again', async ({ onTestFinished }) => {
    const world = await openScriptedWorld(onTestFinished);
    const id = await world.queue('racing.txt', 100);
    const hold = world.bucket.hold('putObject', { afterEffect: true });
    world.engine.start();
    await hold.reached;
    expect(world.engine.pause([id])[0]!.status).toBe('paused');
    hold.release();
    await waitFor('the job to stop', () => world.engine.queueState().active === 0, 10_000, 5);
    expect(world.engine.uploads.statusOf(id)).toBe('paused');
    world.engine.resume([id]);
    await world.until(id, 'the resumed upload', (row) => row.status === 'verified');
    // The second PUT is refused by If-None-Match; the object is recognised as this file.
    expect(world.bucket.objects.get('books/content/racing.txt')?.body.length).toBe(100);
    await waitFor('the author to be told', () => world.events.some((event) => event.upload.id === id && event.upload.status === 'verified' && event.notice?.includes('already in the bucket')), 10_000, 5);
    expect(world.bucket.count('putObject')).toBe(2);
  });

  it('keeps a paused multipart upload paused, with its parts, and a cancelled one cancelled with the server upload aborted', async ({ onTestFinished }) => {
    const world = await openScriptedWorld(onTestFinished, { partSize: 5 * MIB });
    const paused = await world.queue('paused.wav', 11 * MIB);
    const cancelled = await world.queue('cancelled.wav', 11 * MIB);
    const hold = world.bucket.hold('uploadPart');
    world.engine.start();
    await waitFor('both uploads started on the server', () => world.engine.uploads.activeSession(paused) && world.engine.uploads.activeSession(cancelled), 10_000, 5);
    await hold.reached;
    world.engine.pause([paused]);
    await world.engine.cancel([cancelled]);
    hold.release();
    await world.until(paused, 'the pause to stop the job', (row) => row.status === 'paused');
    await waitFor('the cancelled upload aborted on the server', () => world.bucket.count('abortMultipartUpload') >= 1 && world.engine.queueState().active === 0, 10_000, 5);
    expect(world.engine.uploads.statusOf(paused)).toBe('paused');
    expect(world.engine.uploads.statusOf(cancelled)).toBe('cancelled');
    expect(world.engine.uploads.activeSession(paused)).not.toBeNull();
    expect(world.engine.uploads.activeSession(cancelled)).toBeNull();
    expect(world.bucket.uploads.size).toBe(1);
  });

  it('waits offline without counting, probes, and goes on when the endpoint answers', async ({ onTestFinished }) => {
    const world = await openScriptedWorld(onTestFinished, { maxWaits: 1 });
    world.bucket.online = false;
    const id = await world.queue('offline.txt', 100);
    const states: string[] = [];
    world.engine.events.on('queue.state', (state) => states.push(state.state));
    world.engine.start();
    await world.until(id, 'waiting for the endpoint', (row) => row.status === 'waiting' && row.errorCode === 'endpoint_unreachable');
    for (let hour = 0; hour < 5; hour += 1) {
      world.clock.advance(HOUR);
      await waitFor('a probe', () => world.bucket.count('probe') > hour, 10_000, 5);
    }
    expect(world.engine.uploads.get(id)).toMatchObject({ status: 'waiting', waitCount: 0 });
    expect(world.bucket.count('putObject')).toBe(1);
    expect(world.engine.queueState().offline.map((o) => o.connectionId)).toEqual([world.connection.id]);
    world.bucket.online = true;
    world.clock.advance(HOUR);
    await world.until(id, 'the upload to go on', (row) => row.status === 'verified');
    expect(states).toContain('waiting');
  });

  it('fails a refused connection\'s other files at once, each naming its file, and tells the hosts once', async ({ onTestFinished }) => {
    const world = await openScriptedWorld(onTestFinished);
    world.bucket.fail('putObject', s3Errors.noSuchBucket, Number.POSITIVE_INFINITY);
    const ids = await Promise.all(Array.from({ length: 30 }, (_, i) => world.queue(`cover-${i}.jpg`, 50)));
    const refusals: string[] = [];
    world.engine.events.on('connection.refused', (event) => refusals.push(event.connection));
    expect(await world.engine.run()).toMatchObject({ failed: 30, verified: 0 });
    expect(world.bucket.count('putObject')).toBeLessThanOrEqual(8);
    expect(refusals).toEqual(['scripted']);
    for (const [i, id] of ids.entries()) {
      const row = world.engine.uploads.get(id)!;
      expect(row.errorCode).toBe('no_such_bucket');
      expect(row.errorMessage).toContain(`cover-${i}.jpg`);
    }
  });

  it('aborts the upload a lost CreateMultipartUpload answer left, before trying again', async ({ onTestFinished }) => {
    const world = await openScriptedWorld(onTestFinished, { partSize: 5 * MIB }, { maxAttempts: 3 });
    world.bucket.fail('createMultipartUpload', s3Errors.slowDown, 1, { afterEffect: true });
    const id = await world.queue('lost-answer.wav', 11 * MIB);
    expect(await world.engine.run()).toMatchObject({ verified: 1 });
    expect(world.bucket.count('createMultipartUpload')).toBe(2);
    expect(world.bucket.count('abortMultipartUpload')).toBe(1);
    expect(world.bucket.uploads.size).toBe(0);
    expect(world.engine.uploads.get(id)!.status).toBe('verified');
  });

  it('lists the queue a page at a time, filtered by status, connection, type and text', async ({ onTestFinished }) => {
    const world = await openScriptedWorld(onTestFinished);
    const names = ['chapter-01.mp3', 'chapter-02.mp3', 'cover.jpg', 'manuscript_100%.epub', 'notes.pdf'];
    const ids: string[] = [];
    for (const name of names) ids.push(await world.queue(name, 10));
    world.engine.pause([ids[1]!]);
    const page = (input: Parameters<typeof world.engine.listUploads>[0]) => world.engine.listUploads(input);
    expect(page({ limit: 2 })).toMatchObject({ total: 5, offset: 0, uploads: [{ id: ids[0] }, { id: ids[1] }] });
    expect(page({ limit: 2, offset: 4 }).uploads.map((u) => u.id)).toEqual([ids[4]]);
    expect(page({ status: ['paused'] }).uploads.map((u) => u.id)).toEqual([ids[1]]);
    expect(page({ category: 'audio' }).total).toBe(2);
    expect(page({ text: 'CHAPTER-0' }).total).toBe(2);
    // LIKE's wildcards in what the author typed match only themselves.
    expect(page({ text: '_100%' }).uploads.map((u) => u.id)).toEqual([ids[3]]);
    expect(page({ text: '%' }).total).toBe(1);
    expect(page({ connection: 'scripted', status: ['queued'] }).total).toBe(4);
  });

  it('starts once however often it is asked, and a run beside a started engine only waits', async ({ onTestFinished }) => {
    const world = await openScriptedWorld(onTestFinished);
    world.engine.start();
    world.engine.start();
    const id = await world.queue('once.txt', 100);
    expect(await world.engine.run()).toMatchObject({ verified: 1 });
    expect(world.engine.started).toBe(true);
    expect(world.bucket.count('putObject')).toBe(1);
    // Still started after the run: a file added now goes up without another run.
    const later = await world.queue('later.txt', 100);
    await world.until(later, 'the later file', (row) => row.status === 'verified');
    await world.engine.stop();
    expect(world.engine.started).toBe(false);
    expect(world.engine.uploads.statusOf(id)).toBe('verified');
  });
});

// Alone as well: it measures whether the event loop stays free.
describe('a queue that cannot write its ledger', () => {
  it('halts with the reason, keeps the process responsive, and goes on by itself once it can write again', async ({ onTestFinished }) => {
    const world = await openScriptedWorld(onTestFinished, { partSize: 5 * MIB });
    const id = await world.queue('full-disk.wav', 11 * MIB);
    const { uploads } = world.engine;
    // A full disk, as SQLite reports it, for the writes that record progress and put rows back.
    let diskFull = true;
    const full = () => Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    let refusedWrites = 0;
    const fillDiskFor = (method: 'recordPart' | 'requeueInterrupted') => {
      const original = uploads[method].bind(uploads) as (...args: unknown[]) => unknown;
      (uploads as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
        if (!diskFull) return original(...args);
        refusedWrites += 1;
        throw full();
      };
    };
    fillDiskFor('recordPart');
    const states: string[] = [];
    world.engine.events.on('queue.state', (state) => states.push(state.state));
    // A host that stays open (the app, quire run --follow): the queue halts, a run waiting on it
    // hears why, and the process stays responsive meanwhile.
    world.engine.start();
    fillDiskFor('requeueInterrupted');
    await expect(world.engine.run()).rejects.toMatchObject({ code: 'disk_full' });
    const refusedAtHalt = refusedWrites;
    let ticks = 0;
    const timer = setInterval(() => (ticks += 1), 10);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(50);
    // It waits between tries (every 5 s), not retrying the full disk as fast as it can.
    expect(refusedWrites - refusedAtHalt).toBeLessThanOrEqual(1);
    expect(world.engine.queueState()).toMatchObject({ state: 'halted', halted: { code: 'disk_full' } });
    expect(states).toContain('halted');
    diskFull = false;
    await world.until(id, 'the upload to go on once there is room', (row) => row.status === 'verified');
    expect(world.bucket.objects.get('audiobooks/full/full-disk.wav')?.body.length).toBe(11 * MIB);
  });
});

// Alone, so that no other test's work is counted in its CPU time.
describe('the idle scheduler', () => {
  it('idles at no cost, and wakes within a poll for work another process queued', async ({ onTestFinished }) => {
    const world = await openScriptedWorld(onTestFinished);
    world.engine.start();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const before = process.cpuUsage();
    const started = performance.now();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const cpu = process.cpuUsage(before);
    // A loop that spins spends nearly all of it; one that sleeps between looks, next to nothing.
    expect((cpu.user + cpu.system) / 1000).toBeLessThan((performance.now() - started) * 0.05);
    expect(world.engine.queueState().state).toBe('idle');
    // Another process's enqueue is a row in the ledger that this engine was not told about.
    const other = Engine.open({ dataDir: world.dataDir, env: { QUIRE_ACCESS_KEY_ID: 'SCRIPTEDKEY', QUIRE_SECRET_ACCESS_KEY: 'scripted-secret' } });
    onTestFinished(() => other.close());
    const path = join(world.files, 'from-elsewhere.txt');
    await writeFile(path, 'hello');
    const { queued } = await other.enqueue({ paths: [path] });
    await world.until(queued[0]!.id, 'the other process\'s file', (row) => row.status === 'verified');
  });
});
