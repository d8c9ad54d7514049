import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { EngineSettings } from '../../src/main/core/settings';
import type { RunResult } from '../../src/shared/upload';
import { openTestWorld, type TestWorld } from './engine';
import { FaultProxy } from './faultProxy';
import { writeTestFile } from './files';
import { openLedgerForReading } from './ledgerReader';
import { openMultipartUploads, sha256OfObject, testS3 } from './s3Server';
import { waitFor } from './waitFor';

export interface QueuedFile {
  id: string;
  path: string;
  sha256: string;
  size: number;
}

export interface ProxiedWorld extends TestWorld {
  proxy: FaultProxy;
  dataDir: string;
  /** Writes a test file of `size` bytes and queues it. */
  queueFile(name: string, size: number): Promise<QueuedFile>;
  /** The ledger as recorded, read apart from the engine (closed when the test finishes). */
  ledger: ReturnType<typeof openLedgerForReading>;
  /** Starts a run and resolves, with the run still going, once `parts` parts of `file` are recorded. */
  runUntilParts(file: QueuedFile, parts: number): Promise<{ running: Promise<RunResult> }>;
  /** The upload is verified, the bucket's bytes are the file's, and no multipart upload is left open. */
  expectVerified(file: QueuedFile): Promise<void>;
}

/**
 * A real engine whose connection goes through a fault-injecting proxy in front of the real
 * radosgw. Made inside a test (each concurrent test has its own), and closed when it finishes:
 * pass the test context's own `onTestFinished`, which knows which of the concurrent tests it is.
 */
export async function openProxiedWorld(
  onTestFinished: (cleanup: () => void | Promise<void>) => void,
  label: string,
  settings: Partial<EngineSettings> = {},
  options: { dataDir?: string } = {},
): Promise<ProxiedWorld> {
  const proxy = new FaultProxy(testS3().endpoint);
  await proxy.start();
  onTestFinished(() => proxy.stop());
  const world = await openTestWorld(label, { endpoint: proxy.endpoint, settings, onDone: onTestFinished, dataDir: options.dataDir });
  const dataDir = options.dataDir ?? join(world.home, 'data');
  const files = join(world.home, 'files');
  await mkdir(files, { recursive: true });
  const ledger = openLedgerForReading(dataDir);
  onTestFinished(() => {
    ledger.close();
  });
  return {
    ...world,
    proxy,
    dataDir,
    async queueFile(name, size) {
      const path = join(files, name);
      const sha256 = await writeTestFile(path, size);
      const { queued, rejected } = await world.engine.enqueue({ paths: [path] });
      expect(rejected).toEqual([]);
      return { id: queued[0]!.id, path, sha256, size };
    },
    ledger,
    async runUntilParts(file, parts) {
      const running = world.engine.run();
      // A run that ends first (or fails) must not leave the wait hanging until its timeout.
      let ended = false;
      running.then(
        () => (ended = true),
        () => (ended = true),
      );
      await waitFor(`${parts} parts of ${file.path} to be recorded`, () => ended || ledger.recordedParts(file.id) >= parts);
      // Wrapped, or awaiting this would wait for the whole run.
      return { running };
    },
    async expectVerified(file) {
      const row = world.engine.uploads.get(file.id)!;
      expect(row.errorMessage).toBeNull();
      expect(row.status).toBe('verified');
      expect(await sha256OfObject(world.s3, world.bucket, row.objectKey)).toBe(file.sha256);
      expect(await openMultipartUploads(world.s3, world.bucket)).toBe(0);
    },
  };
}
