import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLedgerForReading } from './support/ledgerReader';
import { FaultProxy, type Action, type SeenRequest } from './support/faultProxy';
import { sha256OfFile, writeTestFile } from './support/files';
import { runQuire, startQuire } from './support/quireCli';
import { createTestBucket, openMultipartUploads, sha256OfObject, testS3, type TestS3 } from './support/s3Server';
import { tempDir } from './support/tempDir';

const MIB = 1024 * 1024;
const PART = 10 * MIB;
/** Spaces' limit and Quire's default: the most parts that can be cut off by one kill. */
const PARTS_IN_FLIGHT = 10;

/**
 * The headline promise: the CLI uploading a 1 GiB file is SIGKILLed at chosen moments and at
 * random ones, and each restart finishes the job without sending finished parts again. Bytes
 * are counted on the wire by the proxy in front of the real radosgw.
 */
describe('kill and resume', () => {
  let s3: TestS3;
  let proxy: FaultProxy;
  let home: string;

  beforeAll(async () => {
    s3 = testS3();
    proxy = new FaultProxy(s3.endpoint);
    await proxy.start();
    home = tempDir('kill');
  });
  afterAll(() => proxy.stop());

  async function setUp(label: string, size: number) {
    const bucket = await createTestBucket(s3, label);
    const dataDir = join(home, label);
    const added = await runQuire(
      dataDir,
      ['connect', 'add', 'proxied', '--provider', 's3_compatible', '--endpoint', proxy.endpoint, '--region', s3.region, '--bucket', bucket, '--access-key-id', s3.accessKeyId, '--secret-stdin'],
      { input: s3.secretAccessKey },
    );
    expect(added.stderr).toBe('');
    const file = join(home, `${label}.wav`);
    const sha256 = await writeTestFile(file, size);
    const queued = await runQuire(dataDir, ['upload', file, '--queue-only']);
    expect(queued.code).toBe(0);
    return { bucket, dataDir, file, sha256 };
  }

  /**
   * Runs `quire run` and SIGKILLs it the moment `when` matches a request; `hold` decides what
   * that request meets meanwhile (stall: never reaches the server; swallow: reaches it, but the
   * answer never comes back).
   */
  async function killWhen(dataDir: string, when: (request: SeenRequest) => boolean, hold: Action = { kind: 'stall' }) {
    const run = startQuire(dataDir, ['run', '--json']);
    let killed = false;
    const removeRule = proxy.addRule((request) => {
      if (killed || !when(request)) return null;
      killed = true;
      // Give a swallowed request time to reach the server before the client dies.
      setTimeout(() => run.child.kill('SIGKILL'), hold.kind === 'swallow' ? 300 : 0);
      return hold;
    });
    const result = await run.done;
    removeRule();
    expect(killed, `the kill point was never reached; quire said: ${result.stderr}${result.stdout}`).toBe(true);
    expect(result.signal).toBe('SIGKILL');
  }

  const partsSeen = () => proxy.seen.filter((r) => r.op === 'part').length;

  it('resumes after kills around Create, mid-parts, before Complete and after Complete', async () => {
    const size = 1024 * MIB;
    const { bucket, dataDir, file, sha256 } = await setUp('chosen', size);
    const sentBefore = proxy.sentContentBytes();
    let kills = 0;

    // 0. CreateMultipartUpload reached the server, its answer never came back: the server has
    //    an upload the ledger never heard of, which the restart must not leave behind.
    await killWhen(dataDir, (r) => r.op === 'create', { kind: 'swallow' });
    kills += 1;
    // 1. Right after CreateMultipartUpload: the first part never arrives.
    await killWhen(dataDir, (r) => r.op === 'part');
    kills += 1;
    // 2-4. Mid-parts, three times in the same upload.
    for (let i = 0; i < 3; i += 1) {
      const start = partsSeen();
      await killWhen(dataDir, (r) => r.op === 'part' && partsSeen() - start >= 20);
      kills += 1;
    }
    // 5. After the last part, before Complete reaches the server.
    await killWhen(dataDir, (r) => r.op === 'complete');
    kills += 1;
    // 6. After Complete, before the ledger hears of it: the server completed the object.
    await killWhen(dataDir, (r) => r.op === 'complete', { kind: 'swallow' });
    kills += 1;

    const finished = await runQuire(dataDir, ['run', '--json']);
    expect(finished.stderr).toBe('');
    expect(finished.code).toBe(0);
    const report = JSON.parse(finished.stdout);
    expect(report.uploads[0].status).toBe('verified');
    expect(await sha256OfObject(s3, bucket, report.uploads[0].objectKey)).toBe(sha256);
    expect(await sha256OfFile(file)).toBe(sha256);
    // Each kill costs at most the parts that were in flight when it struck.
    const resent = proxy.sentContentBytes() - sentBefore - size;
    expect(resent).toBeLessThanOrEqual(kills * PARTS_IN_FLIGHT * PART);
    expect(await openMultipartUploads(s3, bucket)).toBe(0);
    // The ledger agrees: one session completed, the rest of the story in the operations log.
    const ledger = openLedgerForReading(dataDir);
    try {
      expect(ledger.sessions()).toEqual([{ status: 'completed' }]);
    } finally {
      ledger.close();
    }
  }, 900_000);

  it('survives 20 kills at random moments', async () => {
    const size = 1024 * MIB;
    const { bucket, dataDir, sha256 } = await setUp('random', size);
    const sentBefore = proxy.sentContentBytes();
    const random = seededRandom(20261124);
    let kills = 0;
    for (; kills < 20; kills += 1) {
      const start = proxy.seen.length;
      const after = 1 + Math.floor(random() * 10);
      const run = startQuire(dataDir, ['run', '--json']);
      let killed = false;
      const removeRule = proxy.addRule(() => {
        if (!killed && proxy.seen.length - start >= after) {
          killed = true;
          run.child.kill('SIGKILL');
        }
        return null;
      });
      const result = await run.done;
      removeRule();
      if (!killed) break; // The upload finished before this kill point came: nothing left to kill.
    }
    const finished = await runQuire(dataDir, ['run', '--json']);
    expect(finished.code).toBe(0);
    const report = JSON.parse(finished.stdout);
    expect(report.uploads[0].status).toBe('verified');
    expect(await sha256OfObject(s3, bucket, report.uploads[0].objectKey)).toBe(sha256);
    expect(kills).toBeGreaterThanOrEqual(10);
    expect(proxy.sentContentBytes() - sentBefore - size).toBeLessThanOrEqual(kills * PARTS_IN_FLIGHT * PART);
    expect(await openMultipartUploads(s3, bucket)).toBe(0);
  }, 900_000);
});

/** Repeatable "random" kill points: a failure can be replayed exactly. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}
