import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApiHandlers, dispatch } from '../src/main/core/api';
import { Engine } from '../src/main/core/engine';
import { sha256OfFile, writeTestFile } from './support/files';
import { connectionSettings } from './support/connectionSettings';
import { openTestWorld, type TestWorld } from './support/engine';
import { sha256OfObject } from './support/s3Server';

/**
 * The commands the UI stands on, against the real bucket: the preview an author reads before
 * sending, a browser drop queued from staging (and its copy removed once the bucket holds it),
 * an upload's details, the host's folders, and "retry all failed".
 */
describe('commands behind the UI', () => {
  let world: TestWorld;
  let handlers: ReturnType<typeof createApiHandlers>;
  let drops: string;

  beforeAll(async () => {
    world = await openTestWorld('ui-commands');
    handlers = createApiHandlers(world.engine);
    drops = join(world.home, 'drops');
    await mkdir(join(drops, 'Novel'), { recursive: true });
  });

  it('previews keys, refusals and objects already in the bucket, and queues nothing', async () => {
    const cover = join(drops, 'cover.jpg');
    await writeFile(cover, 'a first cover');
    await world.engine.enqueue({ paths: [cover] });
    await world.engine.run();
    await writeFile(cover, 'a second, different cover');
    await writeFile(join(drops, 'Novel', 'chapter1.pdf'), 'chapter one');
    const bad = join(drops, 'bad\u0007name.pdf');
    await writeFile(bad, 'bell');

    const outcome = await dispatch(handlers, 'uploads.preview', { paths: [cover, join(drops, 'Novel'), join(drops, 'missing.pdf')] });
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    const preview = outcome.value as Awaited<ReturnType<typeof world.engine.preview>>;
    const byKey = new Map(preview.files.map((file) => [file.objectKey, file]));
    expect([...byKey.keys()].sort()).toEqual(['books/content/Novel/chapter1.pdf', 'books/covers/cover.jpg']);
    expect(byKey.get('books/covers/cover.jpg')!.existing).toEqual({ keptAs: 'books/covers/cover (2).jpg', size: 'a first cover'.length });
    expect(byKey.get('books/content/Novel/chapter1.pdf')!.existing).toBeNull();
    expect(preview.rejected.map((entry) => entry.error.code)).toEqual(['file_missing']);

    const overwrite = await world.engine.preview({ paths: [cover], onConflict: 'overwrite' });
    expect(overwrite.files[0]!.existing).toEqual({ keptAs: null, size: 'a first cover'.length });
    // The preview wrote nothing: only the first cover was ever queued.
    expect(world.engine.listUploads().total).toBe(1);
  });

  it('queues a browser drop from staging by its names in the drop, and removes the copy once verified', async () => {
    const batch = randomUUID();
    const size = 6 * 1024 * 1024 + 17;
    const original = join(world.home, 'original.wav');
    await writeTestFile(original, size);
    const { createReadStream } = await import('node:fs');
    const staged = await world.engine.staging.write(batch, 'Audiobook/01 Opening.wav', createReadStream(original), size);
    await world.engine.staging.write(batch, 'Audiobook/notes.txt', Readable.from([Buffer.from('notes')]), 5);

    const preview = await world.engine.preview({ paths: ['Audiobook'], staged: batch });
    expect(preview.files.map((file) => file.path).sort()).toEqual(['Audiobook/01 Opening.wav', 'Audiobook/notes.txt']);
    const result = await world.engine.enqueue({ paths: ['Audiobook', 'gone.pdf'], staged: batch });
    expect(result.queued.map((upload) => upload.objectKey).sort()).toEqual(['audiobooks/chapters/Audiobook/01 Opening.wav', 'books/content/Audiobook/notes.txt']);
    // Messages name the file as dropped, never Quire's data folder.
    expect(result.rejected).toHaveLength(1);
    expect(result.rejected[0]!.path).toBe('gone.pdf');
    expect(result.rejected[0]!.error.message).not.toContain(world.engine.dataDir);

    await world.engine.run();
    expect(await sha256OfObject(world.s3, world.bucket, 'audiobooks/chapters/Audiobook/01 Opening.wav')).toBe(await sha256OfFile(original));
    await expect.poll(() => existsSync(staged.path)).toBe(false);
    await expect.poll(() => existsSync(world.engine.staging.batchDir(batch))).toBe(false);
  });

  it('refuses a staged path that would leave its batch', async () => {
    const outcome = await dispatch(handlers, 'uploads.enqueue', { paths: ['../ledger.sqlite'], staged: randomUUID() });
    expect(outcome).toMatchObject({ ok: false, error: { code: 'invalid_name' } });
  });

  it('gives an upload\'s details: its parts, server UploadId and requests', async () => {
    const file = join(drops, 'big.wav');
    await writeTestFile(file, 12 * 1024 * 1024);
    const engine = world.engine;
    const [queued] = (await engine.enqueue({ paths: [file] })).queued;
    await engine.run();
    const details = engine.details(queued!.id.slice(0, 8));
    expect(details.upload.status).toBe('verified');
    expect(details.serverUploadId).toMatch(/\S+/);
    expect(details.partCount).toBeGreaterThan(1);
    expect(details.partsDone).toBe(details.partCount);
    expect(details.log.map((entry) => entry.operation)).toEqual(expect.arrayContaining(['create_multipart', 'upload_part', 'complete_multipart']));
  });

  it('applies a part size the author saves to the next large upload, while running', async () => {
    const file = join(drops, 'chapter-2.wav');
    await writeTestFile(file, 13 * 1024 * 1024);
    const saved = await dispatch(handlers, 'settings.update', { partSize: 6 * 1024 * 1024, requestBudget: 4, filesAtOnce: 2 });
    expect(saved).toMatchObject({ ok: true, value: { partSize: 6 * 1024 * 1024, requestBudget: 4, filesAtOnce: 2 } });
    expect(await dispatch(handlers, 'settings.update', { partSize: 1024 })).toMatchObject({ ok: false, error: { message: expect.stringContaining('at least 5 MiB') } });
    const [queued] = (await world.engine.enqueue({ paths: [file] })).queued;
    await world.engine.run();
    const details = world.engine.details(queued!.id);
    expect(details).toMatchObject({ partSize: 6 * 1024 * 1024, partCount: 3, partsDone: 3, upload: { status: 'verified' } });
  });

  it('removes a connection with its finished history, never one with unfinished uploads', async () => {
    const second = await world.engine.connections.add(
      connectionSettings({ name: 'second', provider: 's3_compatible', endpoint: world.s3.endpoint, region: world.s3.region, bucket: world.bucket, accessKeyId: world.s3.accessKeyId, pathStyle: true }),
      { kind: 'given', secret: world.s3.secretAccessKey },
    );
    const file = join(drops, 'for-second.pdf');
    await writeFile(file, 'second');
    await world.engine.enqueue({ paths: [file], connection: 'second' });
    await world.engine.run();
    world.engine.pause('all');
    const [held] = (await world.engine.enqueue({ paths: [file], connection: 'second' })).queued;
    const refused = await dispatch(handlers, 'connections.remove', { name: 'second' });
    expect(refused).toMatchObject({ ok: false, error: { message: expect.stringContaining('Connection "second" still has 1 unfinished upload(s)') } });
    expect(world.engine.connections.list().map((c) => c.name)).toContain('second');

    // A failed upload whose multipart upload is still open in the bucket holds it too: once the
    // connection is gone, nothing could abort those billed parts.
    world.engine.uploads.move(held!.id, 'failed', { errorCode: 'access_denied', errorMessage: 'refused', errorRetryable: false });
    world.engine.uploads.insertSession({ id: randomUUID(), uploadId: held!.id, s3UploadId: `fake-${randomUUID()}`, objectKey: 'x', partSize: 5 * 1024 * 1024, partCount: 2, status: 'active', createdAt: Date.now(), endedAt: null });
    expect(await dispatch(handlers, 'connections.remove', { name: 'second' })).toMatchObject({ ok: false, error: { message: expect.stringContaining('whose parts are still in the bucket') } });
    world.engine.uploads.endSession(world.engine.uploads.activeSession(held!.id)!.id, 'aborted');

    await world.engine.cancel([held!.id]);
    world.engine.resume('all');
    expect(await dispatch(handlers, 'connections.remove', { name: 'second' })).toEqual({ ok: true, value: null });
    expect(world.engine.connections.list().map((c) => c.id)).not.toContain(second.id);
    // Its history goes with it (the object stays in the bucket).
    expect(world.engine.listUploads({ text: 'for-second' }).total).toBe(0);
  });

  it('tells the bytes of parts in flight between finished parts, apart from what the bucket confirmed', async () => {
    const file = join(drops, 'chapter-3.wav');
    await writeTestFile(file, 13 * 1024 * 1024);
    world.engine.updateSettings({ partSize: 6 * 1024 * 1024, requestBudget: 3, bandwidthLimit: 8 * 1024 * 1024 });
    const seen: { done: number; sending: number }[] = [];
    const listener = ({ upload, bytesSending }: { upload: { objectKey: string; bytesDone: number }; bytesSending?: number }) => {
      if (upload.objectKey.endsWith('chapter-3.wav')) seen.push({ done: upload.bytesDone, sending: bytesSending ?? 0 });
    };
    world.engine.events.on('upload.changed', listener);
    try {
      await world.engine.enqueue({ paths: [file] });
      await world.engine.run();
    } finally {
      world.engine.events.off('upload.changed', listener);
      world.engine.updateSettings({ bandwidthLimit: 0 });
    }
    // Three parts go side by side and finish about together: without the bytes in flight the
    // bar would sit still and jump; with them it moves a mebibyte at a time.
    const shown = seen.filter((event) => event.sending > 0).map((event) => event.done + event.sending);
    expect(shown.length).toBeGreaterThan(5);
    expect(shown).toEqual([...shown].sort((a, b) => a - b));
    expect(new Set(shown).size).toBeGreaterThan(5);
    for (const event of seen) expect(event.done + event.sending).toBeLessThanOrEqual(13 * 1024 * 1024);
    expect(seen.at(-1)).toEqual({ done: 13 * 1024 * 1024, sending: 0 });
  });

  it('says which settings the host fixed for its run, beside what is saved', async () => {
    const engine = Engine.open({ dataDir: join(world.home, 'fixed'), env: {}, settings: { bandwidthLimit: 1024 * 1024, requestBudget: 2 } });
    try {
      engine.updateSettings({ bandwidthLimit: 5 * 1024 * 1024 });
      expect(engine.getSettings()).toMatchObject({ bandwidthLimit: 5 * 1024 * 1024, fixedHere: { bandwidthLimit: 1024 * 1024, requestBudget: 2 } });
    } finally {
      await engine.close();
    }
  });

  it('retries every failed upload at once, and lists the host\'s folders', async () => {
    const doomed = join(drops, 'vanishing.pdf');
    await writeFile(doomed, 'soon gone');
    const [queued] = (await world.engine.enqueue({ paths: [doomed] })).queued;
    const { rm } = await import('node:fs/promises');
    await rm(doomed);
    await world.engine.run();
    expect(world.engine.listUploads({ status: ['failed'] }).uploads.map((u) => u.id)).toContain(queued!.id);
    await writeFile(doomed, 'soon gone');
    const retried = await dispatch(handlers, 'uploads.resume', { status: ['failed'] });
    expect(retried).toMatchObject({ ok: true });
    await world.engine.run();
    expect(world.engine.listUploads({ status: ['failed'] }).total).toBe(0);

    const listing = await dispatch(handlers, 'files.browse', { path: drops });
    expect(listing).toMatchObject({ ok: true, value: { path: drops, parent: world.home } });
    if (listing.ok) {
      const entries = (listing.value as { entries: { name: string; kind: string }[] }).entries;
      expect(entries[0]).toMatchObject({ name: 'Novel', kind: 'folder' });
      expect(entries.map((entry) => entry.name)).toContain('cover.jpg');
    }
    expect(await dispatch(handlers, 'files.browse', { path: 'relative/path' })).toMatchObject({ ok: false, error: { code: 'usage' } });
  });
});
