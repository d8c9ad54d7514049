import { connectionSettings } from './support/connectionSettings';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../src/main/core/engine';
import { QuireError } from '../src/main/core/errors';
import { openTestWorld, type TestWorld } from './support/engine';
import { tempDir } from './support/tempDir';

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

async function errorOf(promise: Promise<unknown>): Promise<QuireError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof QuireError) return error;
    throw error;
  }
  throw new Error('expected a failure');
}

describe('connections and the keychain', () => {
  let world: TestWorld;

  beforeAll(async () => {
    world = await openTestWorld('connect');
  });

  it('saves a tested connection and keeps its secret only in the keychain', async () => {
    const [saved] = world.engine.connections.list();
    expect(saved).toMatchObject({ name: 'test', bucket: world.bucket, isDefault: true, pathStyle: true });
    // Cross-checked with the Secret Service's own client, not only through Quire.
    const fromKeychain = execFileSync('secret-tool', ['lookup', 'service', 'quire', 'username', saved!.id], { encoding: 'utf8' });
    expect(fromKeychain).toBe(world.s3.secretAccessKey);
    // The secret's bytes appear nowhere in the data folder: ledger, WAL, locks, logs.
    const secret = Buffer.from(world.s3.secretAccessKey);
    for (const file of filesUnder(world.engine.dataDir)) expect(readFileSync(file).includes(secret), file).toBe(false);
  });

  it('tests a saved connection with the secret from the keychain', async () => {
    await expect(world.engine.connections.test('test')).resolves.toMatchObject({ name: 'test' });
  });

  const base = () => ({ provider: 's3_compatible' as const, endpoint: world.s3.endpoint, region: world.s3.region, bucket: world.bucket, accessKeyId: world.s3.accessKeyId, pathStyle: true });

  it('names a wrong access key', async () => {
    const error = await errorOf(world.engine.connections.add(connectionSettings({ ...base(), name: 'bad-key', accessKeyId: 'NOSUCHKEY000000000000' }), { kind: 'given', secret: 'whatever' }));
    expect(error.code).toBe('invalid_access_key');
    expect(error.message).toContain('bad-key');
  });

  it('names a wrong secret (signature mismatch)', async () => {
    const error = await errorOf(world.engine.connections.add(connectionSettings({ ...base(), name: 'bad-secret' }), { kind: 'given', secret: 'not-the-secret' }));
    expect(error.code).toBe('signature_mismatch');
  });

  it('names a missing bucket', async () => {
    const error = await errorOf(world.engine.connections.add(connectionSettings({ ...base(), name: 'no-bucket', bucket: 'quire-no-such-bucket-here' }), { kind: 'given', secret: world.s3.secretAccessKey }));
    expect(error.code).toBe('no_such_bucket');
    expect(error.message).toContain('quire-no-such-bucket-here');
  });

  it('names an unreachable endpoint', async () => {
    const error = await errorOf(world.engine.connections.add(connectionSettings({ ...base(), name: 'offline', endpoint: 'http://127.0.0.1:9' }), { kind: 'given', secret: world.s3.secretAccessKey }));
    expect(error.code).toBe('endpoint_unreachable');
    expect(error.message).toContain('127.0.0.1:9');
  });

  it('names access denied: another account\'s keys on this bucket', async () => {
    const otherKey = process.env.QUIRE_S3_OTHER_ACCESS_KEY_ID;
    const otherSecret = process.env.QUIRE_S3_OTHER_SECRET_ACCESS_KEY;
    if (!otherKey || !otherSecret) throw new Error('scripts/s3-server.sh creates a second account for this test (QUIRE_S3_OTHER_*)');
    const error = await errorOf(world.engine.connections.add(connectionSettings({ ...base(), name: 'stranger', accessKeyId: otherKey }), { kind: 'given', secret: otherSecret }));
    expect(error.code).toBe('access_denied');
    expect(error.message).toContain('stranger');
  });

  it('saves nothing when the live test fails', async () => {
    expect(world.engine.connections.list().map((c) => c.name)).toEqual(['test']);
  });

  it('refuses a second connection with the same name', async () => {
    const error = await errorOf(world.engine.connections.add(connectionSettings({ ...base(), name: 'test' }), { kind: 'given', secret: world.s3.secretAccessKey }));
    expect(error.code).toBe('connection_exists');
  });

  it('moves the default and removes a connection with its keychain item', async () => {
    const second = await world.engine.connections.add(connectionSettings({ ...base(), name: 'second', makeDefault: true }), { kind: 'given', secret: world.s3.secretAccessKey });
    expect(world.engine.connections.resolve().name).toBe('second');
    await world.engine.connections.remove('second');
    expect(world.engine.connections.resolve().name).toBe('test');
    expect(() => execFileSync('secret-tool', ['lookup', 'service', 'quire', 'username', second.id], { encoding: 'utf8' })).toThrow();
  });

  it('uses keys from the environment without writing them anywhere', async () => {
    const home = tempDir('envkeys');
    const env = { QUIRE_ACCESS_KEY_ID: world.s3.accessKeyId, QUIRE_SECRET_ACCESS_KEY: world.s3.secretAccessKey };
    const engine = Engine.open({ dataDir: home, env });
    try {
      const saved = await engine.connections.add(connectionSettings({ ...base(), name: 'headless' }), { kind: 'environment' });
      expect(() => execFileSync('secret-tool', ['lookup', 'service', 'quire', 'username', saved.id], { encoding: 'utf8' })).toThrow();
      await expect(engine.connections.test('headless')).resolves.toMatchObject({ name: 'headless' });
      for (const file of filesUnder(home)) expect(readFileSync(file).includes(Buffer.from(world.s3.secretAccessKey)), file).toBe(false);
    } finally {
      await engine.close();
    }
  });
});

describe('without a Secret Service', () => {
  it('says so plainly and names the environment alternative', async () => {
    const home = tempDir('nokeyring');
    // A child process with no D-Bus session: the keychain library cannot reach any Secret Service.
    const script = `
      const { OsKeychain } = await import(${JSON.stringify(new URL('../src/main/core/credentials/keychain.ts', import.meta.url).pathname)});
      try { await new OsKeychain().set('x', 'y'); console.log('stored'); } catch (e) { console.log(e.code + ': ' + e.message); }
    `;
    const output = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
      cwd: join(import.meta.dirname, '..'),
      env: { PATH: process.env.PATH, HOME: home, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent' },
    });
    expect(output).toMatch(/^keychain_unavailable: /);
    expect(output).toMatch(/QUIRE_ACCESS_KEY_ID and QUIRE_SECRET_ACCESS_KEY/);
    expect(output).not.toContain('stored');
  });
});

describe('clock skew', () => {
  it('is named as such, from the real server\'s answer to a request signed 20 minutes off', async () => {
    const { S3Client, ListObjectsV2Command } = await import('@aws-sdk/client-s3');
    const { classifyS3Error } = await import('../src/main/core/s3/classifyError');
    const { testS3, createTestBucket } = await import('./support/s3Server');
    const s3 = testS3();
    const bucket = await createTestBucket(s3, 'skew');
    const skewed = new S3Client({
      endpoint: s3.endpoint,
      region: s3.region,
      forcePathStyle: true,
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
      systemClockOffset: -20 * 60 * 1000,
      maxAttempts: 1,
    });
    const error = await skewed.send(new ListObjectsV2Command({ Bucket: bucket })).then(
      () => null,
      (caught: unknown) => caught,
    );
    const classified = classifyS3Error(error, 'Connection "laptop"');
    expect(classified.code).toBe('clock_skew');
    expect(classified.message).toMatch(/clock.*15 minutes/);
    expect(classified.retryable).toBe(true);
  });
});
