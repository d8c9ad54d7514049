import { join } from 'node:path';
import { connectionSettings } from './connectionSettings';
import { afterAll } from 'vitest';
import type { ConnectionSummary } from '../../src/shared/connection';
import { Engine, type EngineOptions } from '../../src/main/core/engine';
import { createTestBucket, testS3, type TestS3 } from './s3Server';
import { tempDir } from './tempDir';

export interface TestWorld {
  s3: TestS3;
  bucket: string;
  home: string;
  engine: Engine;
  connection: ConnectionSummary;
}

/**
 * A real engine over a real ledger file, with a connection added through the real live test and
 * its secret in the real keychain (the suite runs inside a Secret Service session).
 */
export async function openTestWorld(
  label: string,
  options: Omit<EngineOptions, 'dataDir'> & { endpoint?: string; dataDir?: string; onDone?: (close: () => void | Promise<void>) => void; optimizeImages?: boolean } = {},
): Promise<TestWorld> {
  const s3 = testS3();
  const bucket = await createTestBucket(s3, label);
  const home = tempDir(label);
  const engine = Engine.open({ ...options, dataDir: options.dataDir ?? join(home, 'data'), env: options.env ?? {} });
  // Files of made-up bytes named like covers are about the transfer: images go as they are
  // unless a test asks for the author's defaults (covers, book images, avatars, branding).
  if (!options.optimizeImages) engine.updateSettings({ imageOptimize: [] });
  // Inside a test (concurrent tests each make their own world) pass onTestFinished.
  (options.onDone ?? afterAll)(() => engine.close());
  // `endpoint` puts something between the engine and the server: the fault-injecting proxy.
  const connection = await engine.connections.add(
    connectionSettings({ name: 'test', provider: 's3_compatible', endpoint: options.endpoint ?? s3.endpoint, region: s3.region, bucket, accessKeyId: s3.accessKeyId, pathStyle: true }),
    { kind: 'given', secret: s3.secretAccessKey },
  );
  return { s3, bucket, home, engine, connection };
}
