import { rm } from 'node:fs/promises';
import { AbortMultipartUploadCommand, CreateMultipartUploadCommand, ListMultipartUploadsCommand, UploadPartCommand } from '@aws-sdk/client-s3';
import { describe, it } from 'vitest';
import { ORPHAN_MIN_AGE_MS, abortOrphans, findOrphans, quirePrefixes } from '../src/main/core/upload/janitor';
import { writeTestFile } from './support/files';
import { openProxiedWorld } from './support/proxiedWorld';
import { runQuire } from './support/quireCli';
import { headOf, openMultipartUploads } from './support/s3Server';

const MIB = 1024 * 1024;

/**
 * What resuming has to reconcile with: a file that changed or vanished, an upload the server no
 * longer knows, and unfinished uploads in the bucket that nobody owns.
 */
describe.concurrent('reconciling with the file and the server', () => {
  it('uploads the new version of a file modified while it uploads, and says so', async ({ expect, onTestFinished }) => {
    const world = await openProxiedWorld(onTestFinished, 'modified', { bandwidthLimit: 30 * MIB });
    const file = await world.queueFile('chapter-03.wav', 120 * MIB);
    const notices: string[] = [];
    world.engine.events.on('upload.changed', (event) => event.notice && notices.push(event.notice));
    const { ledger } = world;
    const { running } = await world.runUntilParts(file, 2);
    // The author re-exports the chapter: same name and size, other bytes.
    const newSha256 = await writeTestFile(file.path, file.size);
    expect(await running).toMatchObject({ verified: 1, failed: 0 });
    // Nothing wrong was completed: the bucket holds the new version, the old parts were aborted.
    await world.expectVerified({ ...file, sha256: newSha256 });
    expect(notices.some((notice) => notice.includes('chapter-03.wav') && /changed/.test(notice))).toBe(true);
    expect(ledger.sessions()).toEqual([{ status: 'aborted' }, { status: 'completed' }]);
  });

  it('stops with a clear message when the file is deleted while it uploads, leaving nothing half done', async ({ expect, onTestFinished }) => {
    const world = await openProxiedWorld(onTestFinished, 'deleted', { bandwidthLimit: 30 * MIB });
    const file = await world.queueFile('chapter-04.wav', 120 * MIB);
    const { ledger } = world;
    const { running } = await world.runUntilParts(file, 2);
    await rm(file.path);
    expect(await running).toMatchObject({ verified: 0, failed: 1 });
    const row = world.engine.uploads.get(file.id)!;
    expect(row.status).toBe('failed');
    expect(row.errorCode).toBe('file_missing');
    expect(row.errorMessage).toContain(file.path);
    await expect(headOf(world.s3, world.bucket, row.objectKey)).rejects.toMatchObject({ name: 'NotFound' });
    expect(await openMultipartUploads(world.s3, world.bucket)).toBe(0);
  });

  it('starts over, and says so, when the file changed while the upload was paused', async ({ expect, onTestFinished }) => {
    const world = await openProxiedWorld(onTestFinished, 'changedpaused', { bandwidthLimit: 30 * MIB });
    const file = await world.queueFile('chapter-05.wav', 80 * MIB);
    const { ledger } = world;
    const { running } = await world.runUntilParts(file, 2);
    world.engine.pause([file.id]);
    await running;
    const newSha256 = await writeTestFile(file.path, 70 * MIB);
    const notices: string[] = [];
    world.engine.events.on('upload.changed', (event) => event.notice && notices.push(event.notice));
    world.engine.resume([file.id]);
    expect(await world.engine.run()).toMatchObject({ verified: 1 });
    await world.expectVerified({ ...file, size: 70 * MIB, sha256: newSha256 });
    expect(notices.some((notice) => /changed since it was queued/.test(notice))).toBe(true);
  });

  it('starts a fresh upload when the server no longer knows the UploadId', async ({ expect, onTestFinished }) => {
    const world = await openProxiedWorld(onTestFinished, 'gone', { bandwidthLimit: 30 * MIB });
    const file = await world.queueFile('chapter-06.wav', 80 * MIB);
    const { ledger } = world;
    const { running } = await world.runUntilParts(file, 2);
    world.engine.pause([file.id]);
    await running;
    // As Spaces does after 30 days: the unfinished upload and its parts are gone.
    const open = await world.s3.client.send(new ListMultipartUploadsCommand({ Bucket: world.bucket }));
    expect(open.Uploads).toHaveLength(1);
    await world.s3.client.send(new AbortMultipartUploadCommand({ Bucket: world.bucket, Key: open.Uploads![0]!.Key, UploadId: open.Uploads![0]!.UploadId }));
    world.engine.resume([file.id]);
    expect(await world.engine.run()).toMatchObject({ verified: 1 });
    await world.expectVerified(file);
    expect(ledger.sessions()).toEqual([{ status: 'aborted' }, { status: 'completed' }]);
  });

  it('lists unfinished uploads nobody owns with size, age and days left, and aborts only those over 24 hours old', async ({ expect, onTestFinished }) => {
    const world = await openProxiedWorld(onTestFinished, 'orphans', { bandwidthLimit: 30 * MIB });
    // An upload Quire owns (paused half way) must never be taken for an orphan.
    const owned = await world.queueFile('owned.wav', 60 * MIB);
    const { ledger } = world;
    const { running } = await world.runUntilParts(owned, 1);
    world.engine.pause([owned.id]);
    await running;
    // One left behind by a crash before its ledger row, or by another tool: a 5 MiB part in it.
    const orphanKey = 'books/content/lost-draft.pdf';
    const created = await world.s3.client.send(new CreateMultipartUploadCommand({ Bucket: world.bucket, Key: orphanKey }));
    await world.s3.client.send(new UploadPartCommand({ Bucket: world.bucket, Key: orphanKey, UploadId: created.UploadId, PartNumber: 1, Body: Buffer.alloc(5 * MIB, 7) }));

    const report = await world.engine.orphans();
    expect(report.orphans).toHaveLength(1);
    expect(report.orphans[0]).toMatchObject({ key: orphanKey, s3UploadId: created.UploadId, size: 5 * MIB, parts: 1, daysUntilProviderDeletes: 30 });
    expect(report.orphans[0]!.ageMs).toBeLessThan(ORPHAN_MIN_AGE_MS);

    // The janitor of a run, and a plain --abort, leave an orphan younger than 24 hours alone.
    world.engine.resume([owned.id]);
    expect(await world.engine.run()).toMatchObject({ verified: 1 });
    const cli = await runQuire(world.dataDir, ['orphans', '--abort']);
    expect(cli.code).toBe(0);
    expect(cli.stdout).toContain(orphanKey);
    expect(cli.stdout).toMatch(/5(\.0)? MiB/);
    expect(cli.stdout).toMatch(/30 days before Spaces deletes it/);
    expect(await openMultipartUploads(world.s3, world.bucket)).toBe(1);

    // A day later by the clock it is old enough, and aborting it leaves nothing billed.
    const gateway = await world.engine.gatewayFor(world.connection);
    const dayLater = await findOrphans(gateway, quirePrefixes([]), new Set(), Date.now() + ORPHAN_MIN_AGE_MS + 3_600_000);
    expect(dayLater).toHaveLength(1);
    expect(dayLater[0]!.daysUntilProviderDeletes).toBe(29);
    const { aborted } = await abortOrphans(gateway, dayLater.filter((orphan) => orphan.ageMs >= ORPHAN_MIN_AGE_MS));
    expect(aborted).toHaveLength(1);
    expect(await openMultipartUploads(world.s3, world.bucket)).toBe(0);
    await world.expectVerified(owned);
  });
});
