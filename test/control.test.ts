import { describe, it } from 'vitest';
import { openProxiedWorld } from './support/proxiedWorld';
import { runQuire, startQuire } from './support/quireCli';
import { openMultipartUploads } from './support/s3Server';
import { waitFor } from './support/waitFor';

const MIB = 1024 * 1024;
const PART = 10 * MIB;
/** The default request budget: the most parts a pause can cut off. */
const IN_FLIGHT = 8;

/**
 * The author steers: pause and resume (one upload, or everything), cancel, and a bandwidth cap.
 * Uploads are slowed by a cap so that there is a "middle" to act in.
 */
describe.concurrent('pause, resume, cancel and the bandwidth cap', () => {
  it('pauses mid-upload at once, keeps the server upload, and resumes without re-sending finished parts', async ({ expect, onTestFinished }) => {
    // At 10 MiB/s the parts in flight would need 8 s to finish: stopping within 4 s means they
    // were aborted, not waited for.
    const world = await openProxiedWorld(onTestFinished, 'pause', { bandwidthLimit: 10 * MIB });
    const file = await world.queueFile('pause.wav', 100 * MIB);
    const { ledger } = world;
    const { running } = await world.runUntilParts(file, 2);
    const pausedAt = performance.now();
    expect(world.engine.pause([file.id.slice(0, 8)]).map((u) => u.status)).toEqual(['paused']);
    // In-flight parts are aborted, not waited for.
    expect(await running).toMatchObject({ paused: 1, verified: 0 });
    expect(performance.now() - pausedAt).toBeLessThan(4000);
    expect(world.engine.uploads.get(file.id)!.status).toBe('paused');
    expect(await openMultipartUploads(world.s3, world.bucket)).toBe(1);
    const kept = ledger.recordedParts(file.id);
    expect(kept).toBeGreaterThanOrEqual(2);

    // Paused stays paused: another run leaves it alone.
    expect(await world.engine.run()).toMatchObject({ verified: 0 });
    expect(world.engine.resume([file.id]).map((u) => u.status)).toEqual(['queued']);
    const notices: string[] = [];
    world.engine.events.on('upload.changed', (event) => event.notice && notices.push(event.notice));
    expect(await world.engine.run()).toMatchObject({ verified: 1 });
    await world.expectVerified(file);
    // The author sees where it picked up.
    const resumed = notices.map((notice) => /^resumed at \d+%: (\d+) of 10 parts were already in the bucket$/.exec(notice)).find(Boolean);
    expect(Number(resumed?.[1])).toBeGreaterThanOrEqual(kept);
    expect(world.proxy.sentContentBytes()).toBeLessThanOrEqual(file.size + IN_FLIGHT * PART);
  });

  it('pauses everything, also what is queued later and across a restart, until resumed', async ({ expect, onTestFinished }) => {
    const world = await openProxiedWorld(onTestFinished, 'pauseall');
    const first = await world.queueFile('one.pdf', 1024);
    world.engine.pause('all');
    const later = await world.queueFile('two.epub', 2048);
    expect(await world.engine.run()).toMatchObject({ verified: 0 });
    expect(world.engine.uploads.get(first.id)!.status).toBe('paused');
    // The pause is a setting in the ledger, not a flag of this process.
    expect(world.engine.getSettings().queuePaused).toBe(true);
    expect(world.proxy.sentContentBytes()).toBe(0);
    world.engine.resume('all');
    expect(await world.engine.run()).toMatchObject({ verified: 2 });
    await world.expectVerified(first);
    await world.expectVerified(later);
  });

  it('cancels mid-upload, aborts the server upload and records it', async ({ expect, onTestFinished }) => {
    const world = await openProxiedWorld(onTestFinished, 'cancel', { bandwidthLimit: 30 * MIB });
    const file = await world.queueFile('cancel.wav', 150 * MIB);
    const { ledger } = world;
    const { running } = await world.runUntilParts(file, 3);
    expect((await world.engine.cancel([file.id])).map((u) => u.status)).toEqual(['cancelled']);
    expect(await running).toMatchObject({ cancelled: 1 });
    expect(await openMultipartUploads(world.s3, world.bucket)).toBe(0);
    expect(ledger.sessions()).toEqual([{ status: 'aborted' }]);
    expect(ledger.operationCount('abort_multipart')).toBe(1);
    // Cancelled is final: nothing resumes it.
    expect(world.engine.resume([file.id])).toEqual([]);
  });

  it('lets a second quire command pause and then cancel the upload a running quire is doing', async ({ expect, onTestFinished }) => {
    const world = await openProxiedWorld(onTestFinished, 'crossproc');
    const file = await world.queueFile('crossproc.wav', 150 * MIB);
    // The CLI drives the queue in its own process, over the same ledger.
    await world.engine.close();
    const { ledger } = world;
    // At 8 MiB/s the parts in flight would need 10 s to finish.
    const run = startQuire(world.dataDir, ['run', '--json', '--limit-rate', '8MiB']);
    await waitFor('parts to be recorded', () => ledger.recordedParts(file.id) >= 2);
    const paused = await runQuire(world.dataDir, ['pause', file.id.slice(0, 8)]);
    expect(paused.stderr).toBe('');
    expect(paused.stdout).toMatch(/1 upload\(s\) paused/);
    const pausedAt = performance.now();
    const result = await run.done;
    expect(performance.now() - pausedAt).toBeLessThan(5000);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).run).toMatchObject({ paused: 1 });
    expect(await openMultipartUploads(world.s3, world.bucket)).toBe(1);

    const cancelled = await runQuire(world.dataDir, ['cancel', file.id]);
    expect(cancelled.stderr).toBe('');
    expect(await openMultipartUploads(world.s3, world.bucket)).toBe(0);
    expect(ledger.uploads()[0]!.status).toBe('cancelled');
  });

  it('stops cleanly on Ctrl-C, and the next run goes on from there', async ({ expect, onTestFinished }) => {
    const world = await openProxiedWorld(onTestFinished, 'ctrlc');
    const file = await world.queueFile('ctrlc.wav', 150 * MIB);
    await world.engine.close();
    const { ledger } = world;
    const run = startQuire(world.dataDir, ['run', '--json', '--limit-rate', '20MiB']);
    await waitFor('parts to be recorded', () => ledger.recordedParts(file.id) >= 2);
    run.child.kill('SIGINT');
    const stopped = await run.done;
    expect(stopped.signal).toBeNull();
    expect(stopped.code).toBe(1);
    expect(ledger.uploads()[0]!.status).toBe('queued');
    const kept = ledger.recordedParts(file.id);
    const finished = await runQuire(world.dataDir, ['run', '--json']);
    expect(finished.code).toBe(0);
    expect(JSON.parse(finished.stdout).uploads[0].status).toBe('verified');
    expect(kept).toBeGreaterThanOrEqual(2);
    expect(world.proxy.sentContentBytes()).toBeLessThanOrEqual(file.size + IN_FLIGHT * PART);
  });

  // How closely the cap holds over a minute is a figure of `npm run bench` (bench/cap.ts), not a test.
});
