import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestBucket, testS3, type TestS3 } from './support/s3Server';
import { tempDir } from './support/tempDir';

const QUIRE = join(import.meta.dirname, '..', 'bin', 'quire');

/**
 * The built `quire` command as a user runs it: its own process, its own data folder, the real
 * keychain session the suite runs in. `npm test` builds it first.
 */
describe('the quire CLI', () => {
  let s3: TestS3;
  let bucket: string;
  let home: string;

  const quire = (args: string[], options: { input?: string; env?: Record<string, string> } = {}) => {
    const result = spawnSync(QUIRE, args, {
      encoding: 'utf8',
      input: options.input ?? '',
      env: { ...process.env, QUIRE_HOME: join(home, 'data'), QUIRE_ACCESS_KEY_ID: '', QUIRE_SECRET_ACCESS_KEY: '', ...options.env },
      timeout: 120_000,
    });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  };

  beforeAll(async () => {
    s3 = testS3();
    bucket = await createTestBucket(s3, 'cli');
    home = tempDir('cli');
  });

  it('exits 2 with usage on a bad command or flag', () => {
    expect(quire(['frobnicate']).code).toBe(2);
    const bad = quire(['upload', '--bogus']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/bogus/);
  });

  it('never accepts the secret as a flag', () => {
    const result = quire(['connect', 'add', 'x', '--provider', 's3_compatible', '--endpoint', s3.endpoint, '--bucket', bucket, '--access-key-id', s3.accessKeyId, '--secret', 'oops']);
    expect(result.code).toBe(2);
  });

  it('adds a connection with the secret from stdin, tested live', () => {
    const result = quire(
      ['connect', 'add', 'local', '--provider', 's3_compatible', '--endpoint', s3.endpoint, '--region', s3.region, '--bucket', bucket, '--access-key-id', s3.accessKeyId, '--secret-stdin', '--json'],
      { input: `${s3.secretAccessKey}\n` },
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const saved = JSON.parse(result.stdout);
    expect(saved).toMatchObject({ name: 'local', bucket, isDefault: true });
    expect(JSON.stringify(saved)).not.toContain(s3.secretAccessKey);
    const list = quire(['connect', 'list']);
    expect(list.stdout).toMatch(/\* local/);
  });

  it('reports a bad secret clearly with exit status 1', () => {
    const result = quire(
      ['connect', 'add', 'wrong', '--provider', 's3_compatible', '--endpoint', s3.endpoint, '--region', s3.region, '--bucket', bucket, '--access-key-id', s3.accessKeyId, '--secret-stdin'],
      { input: 'definitely-wrong\n' },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/secret access key does not match/);
  });

  it('uploads, lists, verifies and shares a file; a missing one fails the run with 1', async () => {
    const path = join(home, 'Chapter One.mp3');
    const content = 'pretend this is audio';
    await writeFile(path, content);
    const upload = quire(['upload', path, join(home, 'missing.pdf'), '--json']);
    expect(upload.code).toBe(1);
    expect(upload.stderr).toMatch(/missing\.pdf: no such file or folder/);
    const report = JSON.parse(upload.stdout);
    expect(report.run).toMatchObject({ verified: 1, failed: 0 });

    const queue = JSON.parse(quire(['queue', '--json']).stdout);
    expect(queue).toHaveLength(1);
    expect(queue[0]).toMatchObject({ status: 'verified', objectKey: 'audiobooks/chapters/Chapter One.mp3' });

    const verify = quire(['verify', 'audiobooks/chapters/Chapter One.mp3']);
    expect(verify.code).toBe(0);
    expect(verify.stdout).toMatch(/^verified/);
    expect(verify.stdout).toContain(createHash('sha256').update(content).digest('hex'));

    const link = JSON.parse(quire(['link', 'audiobooks/chapters/Chapter One.mp3', '--expires', '6h', '--json']).stdout);
    expect(link.url).toMatch(/X-Amz-Expires=21600/);
    const response = await fetch(link.url);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(content);
  });

  it('previews an upload with --dry-run: the key, the object already there, and nothing queued', () => {
    const path = join(home, 'Chapter One.mp3');
    const preview = quire(['upload', path, '--dry-run']);
    expect(preview.code, preview.stderr).toBe(0);
    expect(preview.stdout).toContain('audiobooks/chapters/Chapter One.mp3  (an object is already there: kept, this one goes to audiobooks/chapters/Chapter One (2).mp3)');
    expect(preview.stdout).toMatch(/1 file\(s\) would be queued, 0 refused\. Nothing was queued\./);
    expect(JSON.parse(quire(['queue', '--json']).stdout)).toHaveLength(1);

    const [only] = JSON.parse(quire(['queue', '--json']).stdout);
    const shown = quire(['show', only.id.slice(0, 8)]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`${only.id}  verified  audiobooks/chapters/Chapter One.mp3`);
    expect(shown.stdout).toMatch(/ upload +200 +21 B/);
  });

  it('caps share links at 7 days', () => {
    const result = quire(['link', 'audiobooks/chapters/Chapter One.mp3', '--expires', '8d']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/7 days|604800/);
  });

  it('says which object is missing when verifying', () => {
    const result = quire(['verify', 'books/content/nothing-here.pdf']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/nothing-here\.pdf is not in bucket/);
  });
});
