import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runQuire } from './support/quireCli';
import { createTestBucket, headOf, testS3, type TestS3 } from './support/s3Server';
import { tempDir } from './support/tempDir';
import { writeNotAnImage, writePhoto } from './support/testImages';

/** The image flags and verbs of the built `quire`, as an author types them. */
describe('quire and images', () => {
  let s3: TestS3;
  let bucket: string;
  let home: string;
  let files: string;
  const quire = (args: string[], input = '') => runQuire(home, args, { input });

  beforeAll(async () => {
    s3 = testS3();
    bucket = await createTestBucket(s3, 'imgcli');
    home = tempDir('imgcli');
    files = join(home, 'files');
    await mkdir(files, { recursive: true });
    await writePhoto(join(files, 'cover.jpg'), 1600, 1200, { gps: true });
    await writePhoto(join(files, 'plain-cover.jpg'), 900, 600);
    await writeNotAnImage(join(files, 'broken-cover.jpg'));
    const added = await quire(['connect', 'add', 'local', '--provider', 's3_compatible', '--endpoint', s3.endpoint, '--region', s3.region, '--bucket', bucket, '--access-key-id', s3.accessKeyId, '--path-style', '--secret-stdin'], `${s3.secretAccessKey}\n`);
    expect(added.code, added.stderr).toBe(0);
  }, 60_000);

  it('previews what would be made of an image, and how large', async () => {
    const preview = await quire(['images', 'preview', join(files, 'cover.jpg')]);
    expect(preview.code, preview.stderr).toBe(0);
    expect(preview.stdout).toMatch(/1600x1200 jpeg/);
    expect(preview.stdout).toMatch(/preset print-cover/);
    expect(preview.stdout).toMatch(/480x360\s+\*-480\.webp/);
    expect(preview.stdout).toMatch(/\*-thumb\.webp/);
    const json = JSON.parse((await quire(['images', 'preview', join(files, 'cover.jpg'), '--preset', 'avatar', '--json'])).stdout);
    expect(json.preset).toBe('avatar');
    expect(json.variants.map((variant: { width: number; height: number }) => variant.width === variant.height)).not.toContain(false);
    const missing = await quire(['images', 'preview', join(files, 'nope.jpg')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('nope.jpg');
  }, 60_000);

  it('uploads an image as it is with --no-optimize, and its set by default', async () => {
    const plain = await quire(['upload', join(files, 'plain-cover.jpg'), '--no-optimize']);
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stdout).toMatch(/1 verified, 0 failed/);
    await expect(headOf(s3, bucket, 'books/covers/plain-cover-480.webp')).rejects.toThrow();

    const withSet = await quire(['upload', join(files, 'cover.jpg')]);
    expect(withSet.code, withSet.stderr).toBe(0);
    expect(withSet.stdout).toMatch(/6 verified, 0 failed/);
    expect((await headOf(s3, bucket, 'books/covers/cover-1024.webp')).Metadata).toMatchObject({ width: '1024', height: '768' });
  }, 60_000);

  it('fails a broken image alone, and sends it as it is when asked', async () => {
    const run = await quire(['upload', join(files, 'broken-cover.jpg'), '--json']);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout);
    const failed = report.uploads.find((upload: { status: string }) => upload.status === 'failed');
    expect(failed.error.code).toBe('image_invalid');
    expect(failed.error.message).toContain('broken-cover.jpg');
    const asIs = await quire(['resume', '--as-is', failed.id.slice(0, 8)]);
    expect(asIs.code, asIs.stderr).toBe(0);
    expect((await quire(['run'])).stdout).toMatch(/1 verified, 0 failed/);
    expect((await headOf(s3, bucket, 'books/covers/broken-cover.jpg')).ContentLength).toBeGreaterThan(0);
  }, 60_000);

  it('saves how images are prepared, and refuses a bad value plainly', async () => {
    const saved = await quire(['settings', '--image-format', 'avif', '--image-quality', '60', '--no-keep-original', '--optimize-types', 'cover,avatar']);
    expect(saved.code, saved.stderr).toBe(0);
    expect(saved.stdout).toMatch(/image format\s+avif, quality 60/);
    expect(saved.stdout).toMatch(/original image\s+not uploaded/);
    expect(saved.stdout).toMatch(/images optimized\s+cover \(print-cover\), avatar \(avatar\)/);
    const bad = await quire(['settings', '--image-quality', '0']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/quality is at least 1/);
  }, 60_000);
});
