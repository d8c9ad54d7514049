import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Engine } from '../src/main/core/engine';
import { QuireError } from '../src/main/core/errors';
import { openProxiedWorld } from './support/proxiedWorld';
import { sha256OfObject } from './support/s3Server';
import { tempDir } from './support/tempDir';

const MIB = 1024 * 1024;
const PART = 10 * MIB;
const IN_FLIGHT = 8;

/** A real small filesystem for the ledger (tmpfs needs root, which the test machines give). */
function smallDisk(onTestFinished: (cleanup: () => void) => void): string {
  const mountPoint = join(tempDir('disk'), 'mnt');
  mkdirSync(mountPoint);
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m,mode=700', 'tmpfs', mountPoint]);
  onTestFinished(() => execFileSync('umount', ['-l', mountPoint]));
  return mountPoint;
}

/** Writes until the disk refuses; returns the filler's path, to free the space again. */
function fill(dir: string): string {
  const filler = join(dir, 'filler');
  const block = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) appendFileSync(filler, block);
  } catch (error) {
    expect((error as NodeJS.ErrnoException).code).toBe('ENOSPC');
  }
  return filler;
}

const isRoot = process.getuid?.() === 0;

/**
 * The disk holding the ledger fills up mid-upload: the engine must stop taking work, say why and
 * where, and lose nothing it had recorded; once space is freed, the upload resumes.
 */
describe.skipIf(!isRoot)('a full disk under the ledger (needs root for a tmpfs)', () => {
  it('stops taking work, says why, loses nothing, and resumes once there is space', async ({ onTestFinished }) => {
    const disk = smallDisk(onTestFinished);
    const dataDir = join(disk, 'data');
    const world = await openProxiedWorld(onTestFinished, 'diskfull', { bandwidthLimit: 30 * MIB }, { dataDir });
    const file = await world.queueFile('chapter-09.wav', 200 * MIB);
    const { ledger } = world;
    const { running } = await world.runUntilParts(file, 3);
    const filler = fill(disk);

    const failure = await running.then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(QuireError);
    expect((failure as QuireError).code).toBe('disk_full');
    expect((failure as QuireError).message).toContain(join(dataDir, 'ledger.sqlite'));
    const kept = ledger.recordedParts(file.id);
    expect(kept).toBeGreaterThanOrEqual(3);

    // Quit, and start again on the still-full disk: opening or running says the same, plainly.
    await world.engine.close();
    const restartOnFullDisk = async () => {
      const engine = Engine.open({ dataDir, env: {} });
      try {
        return await engine.run();
      } finally {
        await engine.close();
      }
    };
    await expect(restartOnFullDisk()).rejects.toMatchObject({ code: 'disk_full' });

    rmSync(filler);
    const restarted = Engine.open({ dataDir, env: {} });
    onTestFinished(() => restarted.close());
    expect(await restarted.run()).toMatchObject({ verified: 1 });
    const row = restarted.uploads.get(file.id)!;
    expect(row.status).toBe('verified');
    expect(await sha256OfObject(world.s3, world.bucket, row.objectKey)).toBe(file.sha256);
    // What the ledger had recorded was not sent again; at most the parts cut off in flight were.
    expect(world.proxy.sentContentBytes()).toBeLessThanOrEqual(file.size + IN_FLIGHT * PART);
  });
});
