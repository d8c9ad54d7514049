import { createHash } from 'node:crypto';
import { readFile, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { s3Errors } from './support/scriptedBucket';
import { openScriptedWorld } from './support/scriptedWorld';
import { writePhoto } from './support/testImages';
import { waitFor } from './support/waitFor';

const HOUR = 3_600_000;

/** The prepare stage with the queue around it, against a scripted bucket (real sharp, real files, a clock moved by hand). */
describe('the prepare stage and the queue', () => {
  it('gives up a set made from an image changed before it went up, and makes a new one from the new version', async ({ onTestFinished }) => {
    const world = await openScriptedWorld(onTestFinished);
    const path = join(world.files, 'cover.jpg');
    await writePhoto(path, 800, 600);
    // The first try of each of the set's five objects is refused: the set is made, and all of it waits.
    world.bucket.fail('putObject', s3Errors.slowDown, 5);
    const { queued } = await world.engine.enqueue({ paths: [path], optimize: true });
    const id = queued[0]!.id;
    world.engine.start();
    await world.until(id, 'the set made and the original waiting', (row) => row.imageSetId === id && row.status === 'waiting');
    const oldSizes = world.engine.listUploads({ limit: 100 }).uploads.filter((upload) => upload.image?.setId === id && upload.id !== id).map((upload) => upload.id);
    expect(oldSizes).toHaveLength(4);

    // The author re-exports the cover, larger, while it waits.
    await writePhoto(path, 1200, 900);
    const aMinuteAgo = new Date(Date.now() - 60_000);
    await utimes(path, aMinuteAgo, aMinuteAgo);
    await waitFor('the new version up with its new set', () => {
      world.clock.advance(HOUR);
      const own = world.engine.uploads.summary(id)!;
      return own.status === 'verified' && own.imageSet?.width === 1200 && world.engine.listUploads({ limit: 100 }).uploads.filter((upload) => upload.image?.setId === id).every((upload) => upload.status === 'verified' || oldSizes.includes(upload.id));
    }, 20_000, 50);

    // Sizes of the old version not yet sent are cancelled; any already sent are replaced under the
    // same names by the new version's (no "cover (2)" for the author's own re-export).
    for (const old of oldSizes) expect(['cancelled', 'verified']).toContain(world.engine.uploads.summary(old)!.status);
    const newSizes = world.engine.listUploads({ limit: 100 }).uploads.filter((upload) => upload.image?.setId === id && !oldSizes.includes(upload.id) && upload.id !== id);
    expect(newSizes.map((upload) => upload.objectKey).sort()).toEqual(['books/covers/cover-1024.webp', 'books/covers/cover-1920.webp', 'books/covers/cover-480.webp', 'books/covers/cover-768.webp', 'books/covers/cover-thumb.webp']);
    const stored = world.bucket.objects.get('books/covers/cover.jpg')!;
    expect(createHash('sha256').update(stored.body).digest('hex')).toBe(createHash('sha256').update(await readFile(path)).digest('hex'));
    expect(world.bucket.objects.get('books/covers/cover-1024.webp')!.metadata).toMatchObject({ width: '1024', height: '768' });
  }, 60_000);
});
