import { CreateMultipartUploadCommand, PutObjectCommand, UploadPartCommand } from '@aws-sdk/client-s3';
import Database from 'better-sqlite3';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../src/main/core/engine';
import { S3Gateway } from '../src/main/core/s3/gateway';
import { Semaphore } from '../src/main/core/util/semaphore';
import { OTHER_AREA, areaOf } from '../src/shared/usage';
import { openTestWorld, type TestWorld } from './support/engine';
import { headOf } from './support/s3Server';
import { writeTestFile } from './support/files';
import { startQuire } from './support/quireCli';
import { waitFor } from './support/waitFor';

const MIB = 1024 * 1024;

/**
 * Usage against the real S3 server: a bucket filled by the test with a known set of objects
 * across the layout (and unfinished multipart uploads), counted by Quire's scan to the byte.
 */
describe('usage of a bucket (real S3 server)', () => {
  let world: TestWorld;
  /** What the test put there, by area: its own count, not Quire's. */
  const expected = new Map<string, { objects: number; bytes: number }>();
  const unfinished = { uploads: 0, bytes: 0, parts: 0 };

  async function put(key: string, size: number) {
    await world.s3.client.send(new PutObjectCommand({ Bucket: world.bucket, Key: key, Body: Buffer.alloc(size, 1) }));
    const area = expected.get(areaOf(key)) ?? { objects: 0, bytes: 0 };
    expected.set(areaOf(key), { objects: area.objects + 1, bytes: area.bytes + size });
  }

  function expectExact(report: ReturnType<Engine['usage']['report']>) {
    for (const [area, figures] of expected) expect(report.areas.find((a) => a.area === area), area).toMatchObject(figures);
    const total = [...expected.values()].reduce((sum, f) => ({ objects: sum.objects + f.objects, bytes: sum.bytes + f.bytes }), { objects: 0, bytes: 0 });
    expect(report.totals).toEqual(total);
    expect(report.unfinished).toEqual({ uploads: unfinished.uploads, bytes: unfinished.bytes });
  }

  beforeAll(async () => {
    world = await openTestWorld('usage', { onDone: () => {} });
    // Thousands of objects across the layout: several pages in the biggest areas.
    const layout: [string, number][] = [
      ['books/content/novel-', 2500],
      ['books/covers/cover-', 300],
      ['audiobooks/chapters/ch-', 1200],
      ['authors/avatars/me-', 20],
      ['temp/upload-', 15],
      ['misc/notes-', 40],
      ['top-level-', 5],
    ];
    const lanes = new Semaphore(32);
    await Promise.all(layout.flatMap(([prefix, count]) => Array.from({ length: count }, (_, i) => lanes.run(() => put(`${prefix}${i}.bin`, 100 + (i % 97))))));
    // Two unfinished multipart uploads, of one part and of two: billed, and counted apart.
    for (const [key, parts] of [['audiobooks/full/book.wav', 1], ['books/content/big.pdf', 2]] as const) {
      const { UploadId } = await world.s3.client.send(new CreateMultipartUploadCommand({ Bucket: world.bucket, Key: key }));
      for (let part = 1; part <= parts; part++) {
        await world.s3.client.send(new UploadPartCommand({ Bucket: world.bucket, Key: key, UploadId, PartNumber: part, Body: Buffer.alloc(5 * MIB, 2) }));
        unfinished.parts += 1;
        unfinished.bytes += 5 * MIB;
      }
      unfinished.uploads += 1;
    }
  }, 180_000);

  it('counts every object and byte per area, and the unfinished uploads, exactly', async () => {
    const report = await world.engine.scanUsage(undefined, true);
    // The test's keys may read the bucket's statistics (s3-server.sh grants buckets=read): the
    // totals came from the server at once, its unfinished uploads' parts taken out, and the
    // listing that counted the areas agrees with them.
    expect(report.scan).toMatchObject({ state: 'done', method: 'bucket-stats' });
    expect(report.scan!.serverTotals).toEqual(report.totals);
    expectExact(report);
    expect(report.areas.find((a) => a.area === OTHER_AREA)).toMatchObject({ objects: 45 });
    // 4,080 objects: the pages listed, not one request per object.
    const db = new Database(world.engine.ledgerPath, { readonly: true });
    const lists = (db.prepare("SELECT count(*) AS n FROM operations WHERE operation = 'list'").get() as { n: number }).n;
    db.close();
    expect(lists).toBeLessThan(20);
  }, 120_000);

  it('lists instead where the keys may not read the server\'s statistics (as on Spaces)', async () => {
    const otherKeys = { accessKeyId: process.env.QUIRE_S3_OTHER_ACCESS_KEY_ID!, secretAccessKey: process.env.QUIRE_S3_OTHER_SECRET_ACCESS_KEY! };
    expect(otherKeys.accessKeyId, 'scripts/s3-server.sh creates a second account (QUIRE_S3_OTHER_*)').toBeTruthy();
    const refused: string[] = [];
    const stranger = new S3Gateway(world.connection, otherKeys, (record) => refused.push(`${record.operation} ${record.httpStatus}`));
    await expect(stranger.bucketStats()).resolves.toBeNull();
    stranger.destroy();
    expect(refused).toEqual(['bucket_stats 403']);
    const own = new S3Gateway(world.connection, { accessKeyId: world.s3.accessKeyId, secretAccessKey: world.s3.secretAccessKey });
    const total = [...expected.values()].reduce((sum, f) => ({ objects: sum.objects + f.objects, bytes: sum.bytes + f.bytes }), { objects: 0, bytes: 0 });
    // The server counts the unfinished uploads' parts (three) among its objects; the scan took them out.
    await expect(own.bucketStats()).resolves.toEqual({ objects: total.objects + unfinished.parts, bytes: total.bytes + unfinished.bytes });
    own.destroy();
  });

  it('stays current from Quire\'s own uploads, without a new scan', async () => {
    const files = join(world.home, 'files');
    await mkdir(files, { recursive: true });
    await writeTestFile(join(files, 'chapter-99.mp3'), 3 * MIB);
    await world.engine.enqueue({ paths: [join(files, 'chapter-99.mp3')] });
    await world.engine.run();
    const report = world.engine.usage.report(world.connection);
    expect(report.sinceScan).toEqual({ objects: 1, bytes: 3 * MIB });
    const chapters = expected.get('audiobooks/chapters/')!;
    expected.set('audiobooks/chapters/', { objects: chapters.objects + 1, bytes: chapters.bytes + 3 * MIB });
    expectExact(report);
  }, 60_000);

  it('goes on from its last page after a scan killed halfway, and ends exact', async () => {
    await world.engine.close();
    const dataDir = world.engine.dataDir;
    // The CLI scans; it is killed once a page is recorded but before the scan ends.
    const { child, done } = startQuire(dataDir, ['usage', '--refresh']);
    const db = new Database(join(dataDir, 'ledger.sqlite'), { readonly: true });
    await waitFor('a page listed', () => (db.prepare('SELECT coalesce(sum(pages), 0) AS n FROM usage_scan_units').get() as { n: number }).n > 0, 60_000, 5);
    child.kill('SIGKILL');
    await done;
    const cut = db.prepare('SELECT state, (SELECT count(*) FROM usage_scan_units WHERE done = 0) AS left FROM usage_scans').get() as { state: string; left: number };
    db.close();
    expect(cut).toMatchObject({ state: 'running' });
    expect(cut.left).toBeGreaterThan(0);

    world.engine = Engine.open({ dataDir, env: {} });
    // Cut off, the scan says where it got to, and the figures stay the last complete scan's (plus
    // Quire's uploads since), counted once, with that scan's time.
    const meanwhile = world.engine.usage.report(world.connection);
    expect(meanwhile.scan).toMatchObject({ state: 'interrupted' });
    expect(meanwhile.scan!.objectsSeen).toBeGreaterThan(0);
    expect(meanwhile.scan!.unitsDone).toBeLessThan(meanwhile.scan!.units);
    expect(meanwhile.scannedAt).not.toBeNull();
    // The cut-off scan had the server's count, newer than the areas': the totals are that count.
    expect(meanwhile.totalsFrom).toBe('bucket-stats');
    expectExact(meanwhile);
    const report = await world.engine.scanUsage(undefined, true);
    expect(report.scan?.state).toBe('done');
    expectExact(report);
    await world.engine.close();
  }, 120_000);

  it('never lists or removes a temporary object less than a day old, nor anything outside temp/', async () => {
    const engine = (world.engine = Engine.open({ dataDir: world.engine.dataDir, env: {} }));
    expect((await engine.oldTempObjects()).objects).toEqual([]);
    const result = await engine.removeOldTemp(['temp/upload-1.bin', 'books/covers/cover-1.bin']);
    expect(result.removed).toEqual([]);
    expect(result.kept.map((kept) => kept.key)).toEqual(['temp/upload-1.bin', 'books/covers/cover-1.bin']);
    await expect(headOf(world.s3, world.bucket, 'temp/upload-1.bin')).resolves.toBeTruthy();
    await engine.close();
  }, 60_000);

  it('says the quota state at 80, 90 and 100%, and what a month costs', async () => {
    const engine = (world.engine = Engine.open({ dataDir: world.engine.dataDir, env: {} }));
    const used = [...expected.values()].reduce((sum, f) => sum + f.bytes, 0) + unfinished.bytes;
    const stateAt = (quotaBytes: number) => engine.usage.setQuota(world.connection, { quotaBytes }).quota.state;
    expect(stateAt(Math.ceil(used / 0.5))).toBe('normal');
    expect(stateAt(Math.ceil(used / 0.85))).toBe('high');
    expect(stateAt(Math.ceil(used / 0.95))).toBe('warning');
    expect(stateAt(Math.floor(used / 1.05))).toBe('over');
    // A batch that would cross the quota is told before it goes, and by how much.
    engine.usage.setQuota(world.connection, { quotaBytes: used + 4 * MIB });
    const big = join(world.home, 'files', 'full-book.wav');
    await writeTestFile(big, 5 * MIB);
    const preview = await engine.preview({ paths: [big] });
    expect(preview.quota).toMatchObject({ usedBytes: used, addedBytes: 5 * MIB, stateNow: 'high', stateAfter: 'over', overByBytes: MIB });
    const report = engine.usage.setQuota(world.connection, { quotaBytes: null, prices: { currency: 'USD', baseMonthly: 5, includedStorageGiB: 0, includedEgressGiB: 0, perGiBMonth: 1, perGiBOut: 0.5 } });
    expect(report.quota).toMatchObject({ bytes: 250 * 1024 ** 3, isDefault: true, state: 'normal' });
    const withEgress = engine.usage.report(world.connection, { egressGiB: 10 });
    expect(withEgress.cost.monthly).toBeCloseTo(5 + used / 1024 ** 3 + 10 * 0.5, 2);
    await engine.close();
  }, 60_000);
});
