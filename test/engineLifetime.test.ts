import { writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Engine } from '../src/main/core/engine';
import { QueueLock } from '../src/main/core/queueLock';
import { openTestWorld } from './support/engine';
import { writeTestFile } from './support/files';
import { runQuire, startQuire } from './support/quireCli';
import { sha256OfObject } from './support/s3Server';
import { waitFor } from './support/waitFor';

const MIB = 1024 * 1024;

/** A data folder with a live connection (secret in the keychain) and no engine holding it. */
async function preparedDataFolder(label: string) {
  const world = await openTestWorld(label, { onDone: () => {} });
  const dataDir = world.engine.dataDir;
  await world.engine.close();
  const files = join(world.home, 'files');
  await mkdir(files, { recursive: true });
  return { ...world, dataDir, files };
}

function lockIsFree(dataDir: string): boolean {
  const probe = new QueueLock(dataDir);
  return !probe.heldElsewhere();
}

/**
 * The engine as hosts keep it: started for as long as they run, one driver per data folder, and
 * steered from anywhere through the ledger.
 */
describe.concurrent('one long-lived engine per data folder', () => {
  it('picks up a file added by `quire upload` in a second shell within 2 s while `quire run --follow` runs, and stops cleanly on SIGTERM', async ({ onTestFinished }) => {
    const world = await preparedDataFolder('follow');
    const follow = startQuire(world.dataDir, ['run', '--follow']);
    onTestFinished(() => void follow.child.kill('SIGKILL'));
    let stderr = '';
    follow.child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await waitFor('quire run --follow to start', () => stderr.includes('Quire is uploading from'), 30_000);
    expect(lockIsFree(world.dataDir)).toBe(false);

    const path = join(world.files, 'chapter-01.mp3');
    const sha256 = await writeTestFile(path, 3 * MIB);
    const second = await runQuire(world.dataDir, ['upload', path]);
    expect(second.stderr).toBe('');
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/1 file\(s\) queued\. Another Quire process \(PID \d+\) is already uploading/);
    const queuedAt = Date.now();
    const reader = Engine.open({ dataDir: world.dataDir, env: {} });
    onTestFinished(() => reader.close());
    const id = reader.listUploads().uploads[0]!.id;
    await waitFor('the running Quire to verify it', () => reader.uploads.statusOf(id) === 'verified', 10_000, 20);
    expect(Date.now() - queuedAt).toBeLessThan(2000);
    expect(await sha256OfObject(world.s3, world.bucket, reader.uploads.get(id)!.objectKey)).toBe(sha256);

    follow.child.kill('SIGTERM');
    const ended = await follow.done;
    expect(ended.code).toBe(0);
    expect(lockIsFree(world.dataDir)).toBe(true);
  });

  it('keeps one driver: two starts in a process are one, a second `quire run` is refused, and the lock is held until the last job stops', async ({ onTestFinished }) => {
    const world = await preparedDataFolder('onedriver');
    const engine = Engine.open({ dataDir: world.dataDir, env: {}, settings: { bandwidthLimit: 40 * MIB } });
    onTestFinished(() => engine.close());
    const path = join(world.files, 'long.wav');
    await writeTestFile(path, 200 * MIB);
    const { queued } = await engine.enqueue({ paths: [path] });
    engine.start();
    engine.start();
    await waitFor('parts to go out', () => engine.uploads.get(queued[0]!.id)!.bytesDone > 0, 30_000);

    const beside = await runQuire(world.dataDir, ['run']);
    expect(beside.code).toBe(1);
    expect(beside.stderr).toContain(`Another Quire process (PID ${process.pid}) is already uploading from this data folder`);

    const stopping = engine.stop();
    // Held while the job is being stopped...
    expect(lockIsFree(world.dataDir)).toBe(false);
    await stopping;
    // ...and free once it has, with the upload runnable again and its parts kept.
    expect(lockIsFree(world.dataDir)).toBe(true);
    expect(engine.uploads.statusOf(queued[0]!.id)).toBe('queued');
    expect(engine.uploads.activeSession(queued[0]!.id)).not.toBeNull();
  });

  it('takes over the lock of a process that was killed, and is not fooled by a lock file naming a live unrelated PID', async ({ onTestFinished }) => {
    const world = await preparedDataFolder('stalelock');
    const killed = startQuire(world.dataDir, ['run', '--follow']);
    let stderr = '';
    killed.child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await waitFor('the first Quire to hold the lock', () => stderr.includes('Quire is uploading from'), 30_000);
    expect(lockIsFree(world.dataDir)).toBe(false);
    killed.child.kill('SIGKILL');
    await killed.done;

    const engine = Engine.open({ dataDir: world.dataDir, env: {} });
    onTestFinished(() => engine.close());
    engine.start();
    expect(engine.started).toBe(true);
    await engine.stop();

    // An old-style lock file (a PID, here our parent's: alive, and not Quire) and an owner note
    // naming it: neither is a lock the kernel holds.
    writeFileSync(join(world.dataDir, 'queue.lock'), String(process.ppid));
    writeFileSync(join(world.dataDir, 'queue.owner'), JSON.stringify({ pid: process.ppid, since: 0 }));
    engine.start();
    expect(engine.started).toBe(true);
    const run = await runQuire(world.dataDir, ['run']);
    expect(run.stderr).toContain(`(PID ${process.pid})`);
  });
});
