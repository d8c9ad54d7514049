import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { sha256OfFile, writeTestFile } from './support/files';
import { openLedgerForReading } from './support/ledgerReader';
import { openProxiedWorld } from './support/proxiedWorld';
import { runQuire } from './support/quireCli';
import { createTestBucket, sha256OfObject, testS3 } from './support/s3Server';
import { tempDir } from './support/tempDir';
import { waitFor } from './support/waitFor';

const MIB = 1024 * 1024;
const PART = 10 * MIB;
/** The default request budget: the most parts one interruption can cut off. */
const IN_FLIGHT = 8;
/** The issue asks for ten minutes offline; QUIRE_OFFLINE_TEST_SECONDS shortens it for local runs. */
const OFFLINE_SECONDS = Number(process.env.QUIRE_OFFLINE_TEST_SECONDS ?? 600);

/**
 * Network and server faults, injected by a proxy in front of the real radosgw. Every upload
 * must still complete and verify, with the retries it took visible in the ledger. The tests run
 * side by side (each with its own proxy, engine and bucket) so the long offline one costs its
 * ten minutes once.
 */
describe.concurrent('uploads through network and server faults', () => {
  it('sends every request through the one retry rule: a connection test and a verify through 503s, with no probe object left behind', async ({ expect, onTestFinished }) => {
    const world = await openProxiedWorld(onTestFinished, 'oneretry');
    const file = await world.queueFile('retried.epub', 2048);
    expect(await world.engine.run()).toMatchObject({ verified: 1 });
    const key = world.engine.uploads.get(file.id)!.objectKey;
    // A hiccup is tried again, not blamed on the keys ("can write but not delete") or shown as "HTTP 503".
    world.proxy.failNext(2, { kind: 'respond', status: 503, code: 'ServiceUnavailable' }, 'other');
    world.proxy.failNext(1, { kind: 'respond', status: 503, code: 'SlowDown' }, 'put');
    await expect(world.engine.connections.test('test')).resolves.toMatchObject({ name: 'test' });
    world.proxy.failNext(2, { kind: 'respond', status: 503, code: 'SlowDown' }, 'head');
    await expect(world.engine.verify(key)).resolves.toMatchObject({ key, matches: true });
    const probes = await world.s3.client.send(new ListObjectsV2Command({ Bucket: world.bucket, Prefix: '.quire/' }));
    expect(probes.KeyCount ?? 0).toBe(0);
    expect(world.ledger.failedOperations()).toBeGreaterThanOrEqual(5);
  });

  it('recovers from connections reset mid-request', async ({ expect, onTestFinished }) => {
    const world = await openProxiedWorld(onTestFinished, 'reset');
    const file = await world.queueFile('reset.wav', 60 * MIB);
    world.proxy.failNext(5, { kind: 'reset' }, 'part');
    const result = await world.engine.run();
    expect(result).toMatchObject({ verified: 1, failed: 0 });
    await world.expectVerified(file);
    const { ledger } = world;
    expect(world.engine.uploads.get(file.id)!.attempts).toBeGreaterThanOrEqual(5);
    expect(ledger.failedOperations()).toBeGreaterThanOrEqual(5);
  });

  it('drops stalled requests after the idle timeout and tries them again', async ({ expect, onTestFinished }) => {
    const world = await openProxiedWorld(onTestFinished, 'stall', { requestIdleTimeoutMs: 1500 });
    const file = await world.queueFile('stall.wav', 40 * MIB);
    world.proxy.failNext(3, { kind: 'stall' }, 'part');
    const result = await world.engine.run();
    expect(result).toMatchObject({ verified: 1 });
    await world.expectVerified(file);
    const { ledger } = world;
    expect(ledger.failuresByCode().TimeoutError).toBe(3);
  });

  it('backs off through a burst of 503 SlowDown and 500 InternalError', async ({ expect, onTestFinished }) => {
    const world = await openProxiedWorld(onTestFinished, 'slowdown');
    const big = await world.queueFile('slowdown.wav', 50 * MIB);
    const small = await world.queueFile('cover.jpg', 300 * 1024);
    world.proxy.failNext(20, { kind: 'respond', status: 503, code: 'SlowDown' });
    world.proxy.failNext(6, { kind: 'respond', status: 500, code: 'InternalError' });
    const result = await world.engine.run();
    expect(result).toMatchObject({ verified: 2, failed: 0 });
    await world.expectVerified(big);
    await world.expectVerified(small);
    const { ledger } = world;
    // A HEAD's error has no body to name it, so count by outcome: every injected failure was
    // met, recorded, and retried. (A HEAD's 404, "no object by that name yet", is no fault.)
    const { NotFound: _, ...failures } = ledger.failuresByCode();
    expect(Object.values(failures).reduce((sum, n) => sum + n, 0)).toBe(26);
    expect(failures.SlowDown).toBeGreaterThan(0);
    expect(failures.InternalError).toBeGreaterThan(0);
  });

  it('sends a part damaged on the way again: the server checks every chunk against its signature', async ({ expect, onTestFinished }) => {
    const world = await openProxiedWorld(onTestFinished, 'damaged');
    const file = await world.queueFile('damaged.wav', 40 * MIB);
    // One byte flipped in the second part's body, as a faulty network path might. Stored and
    // recorded, that part would complete a wrong object.
    let damaged = false;
    world.proxy.addRule((request) => {
      if (damaged || request.op !== 'part' || request.partNumber !== 2) return null;
      damaged = true;
      return { kind: 'corrupt' };
    });
    const result = await world.engine.run();
    expect(world.engine.uploads.get(file.id)!.errorMessage).toBeNull();
    expect(result).toMatchObject({ verified: 1, failed: 0 });
    await world.expectVerified(file);
    expect(world.proxy.seen.filter((request) => request.op === 'part' && request.partNumber === 2)).toHaveLength(2);
    expect(world.engine.uploads.get(file.id)!.errorCode).toBeNull();
  });

  it('sends a small file damaged on the way again: the server checks it against its SHA-256', async ({ expect, onTestFinished }) => {
    const world = await openProxiedWorld(onTestFinished, 'damaged-small');
    const file = await world.queueFile('cover.jpg', 300 * 1024);
    let damaged = false;
    world.proxy.addRule((request) => {
      if (damaged || request.op !== 'put' || !request.path.endsWith('cover.jpg')) return null;
      damaged = true;
      return { kind: 'corrupt' };
    });
    const result = await world.engine.run();
    expect(result).toMatchObject({ verified: 1, failed: 0 });
    await world.expectVerified(file);
    expect(world.proxy.seen.filter((request) => request.op === 'put' && request.path.endsWith('cover.jpg'))).toHaveLength(2);
    expect(world.ledger.failuresByCode()).toMatchObject({ XAmzContentSHA256Mismatch: 1 });
  });

  it(`waits out ${OFFLINE_SECONDS % 60 === 0 ? `${OFFLINE_SECONDS / 60} minutes` : `${OFFLINE_SECONDS} s`} offline, probing, and resumes by itself without re-sending finished parts`, async ({ expect, onTestFinished }) => {
    // A cap slows the upload enough to go offline in the middle of it.
    const world = await openProxiedWorld(onTestFinished, 'offline', { bandwidthLimit: 25 * MIB });
    const file = await world.queueFile('offline.wav', 300 * MIB);
    const running = world.engine.run();
    const { ledger } = world;
    try {
      await waitFor('some parts recorded', () => ledger.recordedParts(file.id) >= 5);
      await world.proxy.goOffline();
      const waiting = await waitFor('the upload to wait for the network', () => {
        const row = world.engine.uploads.get(file.id)!;
        return row.status === 'waiting' && row.errorCode === 'endpoint_unreachable' ? row : null;
      });
      expect(waiting.errorMessage).toMatch(/offline/);
      const partsKept = ledger.recordedParts(file.id);
      expect(partsKept).toBeGreaterThanOrEqual(5);

      const offlineUntil = Date.now() + OFFLINE_SECONDS * 1000;
      while (Date.now() < offlineUntil) {
        await new Promise((resolve) => setTimeout(resolve, Math.min(5000, offlineUntil - Date.now())));
        // Hours offline cost nothing but time: it never gives up, and nothing recorded is lost.
        expect(world.engine.uploads.get(file.id)!.status).toBe('waiting');
        expect(ledger.recordedParts(file.id)).toBeGreaterThanOrEqual(partsKept);
      }
      // One small probe per interval (backing off to 30 s), not a retry storm.
      expect(ledger.operationCount('probe')).toBeLessThanOrEqual(OFFLINE_SECONDS / 30 + 8);

      const sentBeforeOnline = world.proxy.sentContentBytes();
      await world.proxy.goOnline();
      const result = await running;
      expect(result).toMatchObject({ verified: 1, failed: 0 });
      await world.expectVerified(file);
      // Only the parts not yet recorded went again, and what was cut off at the moment it went offline.
      const partsLeft = Math.ceil(file.size / PART) - partsKept;
      expect(world.proxy.sentContentBytes() - sentBeforeOnline).toBeLessThanOrEqual(partsLeft * PART);
      expect(world.proxy.sentContentBytes()).toBeLessThanOrEqual(file.size + IN_FLIGHT * PART);
      expect(ledger.failedOperations()).toBeGreaterThan(0);
    } finally {
      await world.proxy.goOnline();
      await running.catch(() => {});
    }
  }, (OFFLINE_SECONDS + 240) * 1000);

  it('corrects a clock 20 minutes behind, or 16 ahead, from the server\'s Date and goes on', async ({ expect }) => {
    // libfaketime shifts the CLI's own clock; the real radosgw refuses requests signed more than
    // 15 minutes off, as Spaces does, and its Date header is what Quire corrects from.
    const s3 = testS3();
    const bucket = await createTestBucket(s3, 'skew');
    const home = tempDir('skew');
    const dataDir = join(home, 'data');
    await mkdir(join(home, 'files'));
    const added = await runQuire(
      dataDir,
      ['connect', 'add', 'skew', '--provider', 's3_compatible', '--endpoint', s3.endpoint, '--region', s3.region, '--bucket', bucket, '--access-key-id', s3.accessKeyId, '--secret-stdin'],
      { input: s3.secretAccessKey },
    );
    expect(added.stderr).toBe('');
    for (const shift of ['-20m', '+16m']) {
      const big = join(home, 'files', `chapter${shift}.wav`);
      const small = join(home, 'files', `blurb${shift}.txt`);
      await writeTestFile(big, 25 * MIB);
      await writeTestFile(small, 2048);
      const result = await runQuire(dataDir, ['upload', big, small, '--json'], { wrapper: ['faketime', '-f', shift] });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const uploads = (JSON.parse(result.stdout) as { uploads: { sourcePath: string; objectKey: string; status: string }[] }).uploads.filter((u) => u.sourcePath === big || u.sourcePath === small);
      expect(uploads.map((u) => u.status)).toEqual(['verified', 'verified']);
      for (const upload of uploads) expect(await sha256OfObject(s3, bucket, upload.objectKey)).toBe(await sha256OfFile(upload.sourcePath));
    }
    const ledger = openLedgerForReading(dataDir);
    const failures = ledger.failuresByCode();
    ledger.close();
    // Each run met the skew once per connection, corrected, and retried (a HEAD's is a bare 403).
    expect((failures.RequestTimeTooSkewed ?? 0) + (failures['403'] ?? 0) + (failures.Forbidden ?? 0)).toBeGreaterThanOrEqual(2);
  });
});
