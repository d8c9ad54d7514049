import { mkdir, rename, rm, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UploadSummary } from '../src/shared/upload';
import { Engine } from '../src/main/core/engine';
import { openTestWorld, type TestWorld } from './support/engine';
import { sha256OfFile } from './support/files';
import { waitFor } from './support/waitFor';
import { bytesOfObject, headOf, listKeys, sha256OfObject } from './support/s3Server';
import { CAMERA_MAKE, writeAnimatedWebp, writeBomb, writeCmykJpeg, writeLogoPng, writeNotAnImage, writePhoto, writeTruncatedJpeg } from './support/testImages';

/**
 * Images through the whole engine against the real S3 server: the prepare stage makes each set
 * in the image pool, every variant uploads like any other file, and what is read back from the
 * bucket is what authors were promised: the sizes, WebP, the right way up, no GPS or camera data.
 */
describe('images optimized before they upload (real S3 server, real sharp)', () => {
  let world: TestWorld;
  let files: string;

  /** Every row of one image's set, by variant, after a run. */
  function setOf(anchor: UploadSummary): Map<string, UploadSummary> {
    const rows = world.engine.listUploads({ limit: 1000 }).uploads.filter((upload) => upload.image?.setId === anchor.id);
    return new Map(rows.map((row) => [row.image!.variant, row]));
  }

  async function objectImage(key: string) {
    const bytes = await bytesOfObject(world.s3, world.bucket, key);
    return { bytes, metadata: await sharp(bytes).metadata() };
  }

  afterAll(() => world?.engine.close());

  beforeAll(async () => {
    // The engine is reopened by one test (a restart): whichever is open at the end is closed.
    world = await openTestWorld('images', { onDone: () => {}, optimizeImages: true });
    files = join(world.home, 'files');
    await mkdir(files, { recursive: true });
    // Covers go by their name: "cover" in it; the others by --type below.
    await writePhoto(join(files, 'phone-cover.jpg'), 1200, 800, { orientation: 6, gps: true });
    await writeLogoPng(join(files, 'logo.png'), 900, 600);
    await writePhoto(join(files, 'scan.jpg'), 12000, 8000);
    await writeCmykJpeg(join(files, 'print-cover.jpg'), 1600, 2400);
    await writeNotAnImage(join(files, 'broken-cover.jpg'));
    await writeTruncatedJpeg(join(files, 'cut-cover.jpg'));
    await writeBomb(join(files, 'bomb.png'));
    await writeAnimatedWebp(join(files, 'animated-banner.webp'));
  }, 120_000);

  it('makes each set, uploads every variant, and lets the bad images fail alone', async () => {
    const names = ['phone-cover.jpg', 'logo.png', 'scan.jpg', 'print-cover.jpg', 'broken-cover.jpg', 'cut-cover.jpg', 'bomb.png', 'animated-banner.webp'];
    const { queued, rejected } = await world.engine.enqueue({ paths: names.map((name) => join(files, name)), optimize: true });
    expect(rejected).toEqual([]);
    expect(queued.every((upload) => upload.optimize !== null)).toBe(true);
    const byName = new Map(queued.map((upload) => [upload.sourcePath.split('/').pop()!, upload]));

    const result = await world.engine.run();
    expect(result.failed).toBe(4);

    // The bad ones: each failed on its own, with a message naming it.
    const failures = new Map([
      ['broken-cover.jpg', 'image_invalid'],
      ['cut-cover.jpg', 'image_invalid'],
      ['bomb.png', 'image_too_large'],
      ['animated-banner.webp', 'image_unsupported'],
    ]);
    for (const [name, code] of failures) {
      const row = world.engine.uploads.summary(byName.get(name)!.id)!;
      expect(row.status, name).toBe('failed');
      expect(row.error?.code, name).toBe(code);
      expect(row.error?.message, name).toContain(name);
      expect(setOf(row).size, name).toBe(0);
    }

    // The phone photo, a cover: on its side in the file (orientation 6), upright in every variant;
    // the print-cover preset goes by width only, so the 1920 slot is 1920 wide (never more than
    // the 800 px the photo has: here 800 x 1200 upright, so 480 and 768 and the full 800).
    const phone = world.engine.uploads.summary(byName.get('phone-cover.jpg')!.id)!;
    expect(phone.status).toBe('verified');
    expect(phone.imageSet).toMatchObject({ preset: 'print-cover', format: 'webp', width: 800, height: 1200, originalKept: true, cacheHit: false });
    // Its position never reaches the web images; the original goes as it is, and the author is told.
    expect(phone.imageSet!.notices.join(' ')).toMatch(/GPS position\): the web images leave it out.*original is uploaded as it is, GPS position included/);
    const phoneSet = setOf(phone);
    expect([...phoneSet.keys()].sort()).toEqual(['1024', '480', '768', 'original', 'thumb']);
    const expectedSizes: Record<string, [number, number]> = { '480': [480, 720], '768': [768, 1152], '1024': [800, 1200], thumb: [133, 200] };
    const sourceSha256 = await sha256OfFile(join(files, 'phone-cover.jpg'));
    for (const [variant, [width, height]] of Object.entries(expectedSizes)) {
      const row = phoneSet.get(variant)!;
      expect(row.status, variant).toBe('verified');
      expect(row.objectKey).toBe(`books/covers/phone-cover-${variant}.webp`);
      expect(row.image?.origin).toBe(join(files, 'phone-cover.jpg'));
      const { bytes, metadata } = await objectImage(row.objectKey);
      expect([metadata.format, metadata.width, metadata.height], variant).toEqual(['webp', width, height]);
      // No EXIF at all: no GPS position, no camera; and no orientation tag left to turn it again.
      expect(metadata.exif, variant).toBeUndefined();
      expect(metadata.orientation, variant).toBeUndefined();
      expect(bytes.includes(CAMERA_MAKE), variant).toBe(false);
      // The object describes itself, and the bytes are the ones prepared.
      const head = await headOf(world.s3, world.bucket, row.objectKey);
      expect(head.ContentType).toBe('image/webp');
      expect(head.Metadata).toMatchObject({ width: String(width), height: String(height), 'source-sha256': sourceSha256, variant });
      expect(head.Metadata?.['dominant-color']).toMatch(/^#[0-9a-f]{6}$/);
      expect(await sha256OfObject(world.s3, world.bucket, row.objectKey)).toBe(row.sha256);
    }
    // The original goes too, byte for byte, under its own name.
    expect(phoneSet.get('original')!.objectKey).toBe('books/covers/phone-cover.jpg');
    expect(await sha256OfObject(world.s3, world.bucket, 'books/covers/phone-cover.jpg')).toBe(sourceSha256);
    expect(phone.imageSet!.bytesAfter).toBe([...phoneSet.values()].filter((row) => row.image!.variant !== 'original').reduce((sum, row) => sum + row.size, 0));

    // The logo keeps its transparency; the web preset never upscales (900 px wide: no 1024 or 1920 slot beyond it).
    const logo = world.engine.uploads.summary(byName.get('logo.png')!.id)!;
    const logoSet = setOf(logo);
    expect([...logoSet.keys()].sort()).toEqual(['1024', '480', '768', 'original', 'thumb']);
    const logoLargest = await objectImage(logoSet.get('1024')!.objectKey);
    expect([logoLargest.metadata.width, logoLargest.metadata.hasAlpha]).toEqual([900, true]);

    // The 12000 x 8000 scan fits within 1920 x 1080 at most: 1620 x 1080 in the 1920 slot.
    const scan = world.engine.uploads.summary(byName.get('scan.jpg')!.id)!;
    const scanSet = setOf(scan);
    expect([...scanSet.keys()].sort()).toEqual(['1024', '1920', '480', '768', 'original', 'thumb']);
    const scanLargest = await objectImage(scanSet.get('1920')!.objectKey);
    expect([scanLargest.metadata.width, scanLargest.metadata.height]).toEqual([1620, 1080]);
    expect(scan.imageSet!.bytesAfter).toBeLessThan(scan.imageSet!.bytesBefore / 4);

    // The CMYK print cover: screens get sRGB, and the author is told; the original is kept as it is.
    const cmyk = world.engine.uploads.summary(byName.get('print-cover.jpg')!.id)!;
    expect(cmyk.imageSet!.notices.join(' ')).toMatch(/CMYK/);
    const cmykVariant = await objectImage(setOf(cmyk).get('480')!.objectKey);
    expect(cmykVariant.metadata.space).toBe('srgb');
    expect((await objectImage('books/covers/print-cover.jpg')).metadata.space).toBe('cmyk');
  }, 240_000);

  it('uploads a bad image as it is when the author asks', async () => {
    const broken = world.engine.listUploads({ status: ['failed'], text: 'broken-cover' }).uploads[0]!;
    const [asIs] = world.engine.uploadAsIs([broken.id]);
    expect(asIs).toMatchObject({ status: 'queued', optimize: null });
    await world.engine.run();
    const row = world.engine.uploads.summary(broken.id)!;
    expect(row.status).toBe('verified');
    expect(await sha256OfObject(world.s3, world.bucket, row.objectKey)).toBe(await sha256OfFile(join(files, 'broken-cover.jpg')));
  }, 60_000);

  it('never encodes an unchanged image twice: not again, not from a watch folder, not after a restart', async () => {
    const stats = () => world.engine.images.stats();
    const encodedBefore = stats().encoded;
    const { queued } = await world.engine.enqueue({ paths: [join(files, 'phone-cover.jpg'), join(files, 'logo.png')], optimize: true, onConflict: 'overwrite' });
    await world.engine.run();
    expect(stats().encoded).toBe(encodedBefore);
    for (const upload of queued) expect(world.engine.uploads.summary(upload.id)!.imageSet?.cacheHit).toBe(true);

    // A watch folder: its first sync makes the set once; looking again makes nothing.
    const watched = join(world.home, 'watched');
    await mkdir(watched, { recursive: true });
    await writePhoto(join(watched, 'chapter-art.jpg'), 1000, 700);
    // Written a minute ago, as far as the quiet rule can tell: a finished file, synced at the first look.
    const aMinuteAgo = new Date(Date.now() - 60_000);
    await utimes(join(watched, 'chapter-art.jpg'), aMinuteAgo, aMinuteAgo);
    const folder = await world.engine.watch.add({ path: watched, optimize: true });
    await world.engine.run();
    expect(stats().encoded).toBe(encodedBefore + 1);
    const afterFirstSync = world.engine.listUploads({ limit: 1000 }).total;
    world.engine.watch.scan(folder.id);
    await world.engine.run();
    expect(world.engine.listUploads({ limit: 1000 }).total).toBe(afterFirstSync);
    expect(stats().encoded).toBe(encodedBefore + 1);
    world.engine.watch.remove(folder.id);

    // A new engine on the same data folder (the app restarted): the cache is on disk.
    const dataDir = world.engine.dataDir;
    await world.engine.close();
    world.engine = Engine.open({ dataDir, env: {} });
    const again = await world.engine.enqueue({ paths: [join(files, 'phone-cover.jpg')], optimize: true, onConflict: 'overwrite' });
    await world.engine.run();
    expect(stats()).toMatchObject({ encoded: 0, cacheHits: 1 });
    expect(world.engine.uploads.summary(again.queued[0]!.id)!.imageSet?.cacheHit).toBe(true);
  }, 60_000);

  it("keeps a different image of the same name beside the first with its whole set under one name", async () => {
    const [first, second] = [join(files, 'one'), join(files, 'two')];
    await mkdir(first, { recursive: true });
    await mkdir(second, { recursive: true });
    await writePhoto(join(first, 'art-cover.jpg'), 800, 600);
    await writePhoto(join(second, 'art-cover.jpg'), 2400, 1600);
    await world.engine.enqueue({ paths: [join(first, 'art-cover.jpg')] , optimize: true });
    await world.engine.run();
    const { queued } = await world.engine.enqueue({ paths: [join(second, 'art-cover.jpg')], optimize: true });
    await world.engine.run();
    const keys = [...setOf(world.engine.uploads.summary(queued[0]!.id)!).values()].map((row) => row.objectKey).sort();
    expect(keys).toEqual(['books/covers/art-cover (2)-1024.webp', 'books/covers/art-cover (2)-1920.webp', 'books/covers/art-cover (2)-480.webp', 'books/covers/art-cover (2)-768.webp', 'books/covers/art-cover (2)-thumb.webp', 'books/covers/art-cover (2).jpg']);
    // The first set is untouched: its 480 is still the 800 px photo's.
    expect((await objectImage('books/covers/art-cover-480.webp')).metadata.height).toBe(360);

    // Two images whose sets would share names, dropped together: the second set takes the next name.
    await writePhoto(join(files, 'poster.jpg'), 900, 600);
    await writeLogoPng(join(files, 'poster.png'), 900, 600);
    const both = await world.engine.enqueue({ paths: [join(files, 'poster.jpg'), join(files, 'poster.png')], optimize: true });
    await world.engine.run();
    // Whichever is made first takes the plain name; each set is whole under its own.
    const stems = both.queued.map((upload) => {
      const rows = [...setOf(world.engine.uploads.summary(upload.id)!).values()];
      return new Set(rows.map((row) => row.objectKey.split('/').pop()!.replace(/(-(\d+|thumb))?\.(webp|jpg|png)$/, '')));
    });
    expect(stems.map((stem) => [...stem]).sort()).toEqual([['poster'], ['poster (2)']]);
  }, 90_000);

  it('lets the author pause, cancel or send as is an image while its set is being made', async () => {
    const big = async (name: string) => {
      await writePhoto(join(files, name), 9000, 6000);
      const { queued } = await world.engine.enqueue({ paths: [join(files, name)], optimize: true });
      world.engine.start();
      await waitFor(`${name} to be prepared`, () => world.engine.uploads.summary(queued[0]!.id)!.status === 'preparing');
      return queued[0]!.id;
    };
    const paused = await big('paused-scan.jpg');
    world.engine.pause([paused]);
    const cancelled = await big('cancelled-scan.jpg');
    await world.engine.cancel([cancelled]);
    const asIs = await big('as-is-scan.jpg');
    world.engine.uploadAsIs([asIs]);
    await world.engine.run();
    expect(world.engine.uploads.summary(paused)).toMatchObject({ status: 'paused', optimize: 'web', imageSet: null });
    expect(world.engine.uploads.summary(cancelled)).toMatchObject({ status: 'cancelled', imageSet: null });
    expect(world.engine.uploads.summary(asIs)).toMatchObject({ status: 'verified', optimize: null, imageSet: null });
    for (const id of [paused, cancelled, asIs]) expect(setOf(world.engine.uploads.summary(id)!).size).toBe(0);
    // Resumed, the paused one is made and sent.
    world.engine.resume([paused]);
    await world.engine.run();
    expect(world.engine.uploads.summary(paused)).toMatchObject({ status: 'verified', optimize: null });
    expect(setOf(world.engine.uploads.summary(paused)!).size).toBe(6);
    await world.engine.stop();
  }, 120_000);

  it('takes the new version of an image changed before its set was made, and names one deleted', async () => {
    const changing = join(files, 'changing-cover.jpg');
    const vanishing = join(files, 'vanishing-cover.jpg');
    await writePhoto(changing, 1000, 800);
    await writePhoto(vanishing, 1000, 800);
    const { queued } = await world.engine.enqueue({ paths: [changing, vanishing], optimize: true });
    await writePhoto(changing, 1200, 600);
    const aMinuteAgo = new Date(Date.now() - 60_000);
    await utimes(changing, aMinuteAgo, aMinuteAgo);
    await rm(vanishing);
    const result = await world.engine.run();
    expect(result).toMatchObject({ failed: 1 });
    const changed = world.engine.uploads.summary(queued[0]!.id)!;
    expect(changed).toMatchObject({ status: 'verified', imageSet: { width: 1200, height: 600 } });
    expect(await sha256OfObject(world.s3, world.bucket, changed.objectKey)).toBe(await sha256OfFile(changing));
    const gone = world.engine.uploads.summary(queued[1]!.id)!;
    expect(gone).toMatchObject({ status: 'failed', error: { code: 'file_missing' } });
    expect(gone.error!.message).toContain('vanishing-cover.jpg');
  }, 60_000);

  it("keeps a watch folder's images whole: renamed, they go up with their sizes; deleted (when asked), their sizes go too", async () => {
    const watched = join(world.home, 'watched-sets');
    await mkdir(watched, { recursive: true });
    const aMinuteAgo = new Date(Date.now() - 60_000);
    for (const name of ['map-cover.jpg', 'spare-cover.jpg']) {
      await writePhoto(join(watched, name), 900, 600);
      await utimes(join(watched, name), aMinuteAgo, aMinuteAgo);
    }
    const folder = await world.engine.watch.add({ path: watched, optimize: true, syncDeletes: true, deleteGuardPercent: 100 });
    await world.engine.run();
    const keysUnder = async (prefix: string) => (await listKeys(world.s3, world.bucket, prefix)).sort();
    expect(await keysUnder('books/covers/map-cover')).toEqual(['books/covers/map-cover-1024.webp', 'books/covers/map-cover-480.webp', 'books/covers/map-cover-768.webp', 'books/covers/map-cover-thumb.webp', 'books/covers/map-cover.jpg']);

    await rename(join(watched, 'map-cover.jpg'), join(watched, 'atlas-cover.jpg'));
    await rm(join(watched, 'spare-cover.jpg'));
    world.engine.watch.scan(folder.id);
    await world.engine.run();
    expect(await keysUnder('books/covers/atlas-cover')).toHaveLength(5);
    expect(await keysUnder('books/covers/map-cover')).toEqual([]);
    expect(await keysUnder('books/covers/spare-cover')).toEqual([]);
    world.engine.watch.remove(folder.id);
  }, 60_000);

  it('sends only the set when the original is not kept: the largest variant stands in for it', async () => {
    world.engine.updateSettings({ imageKeepOriginal: false });
    try {
      await writePhoto(join(files, 'author-headshot.jpg'), 1500, 1000);
      const { queued } = await world.engine.enqueue({ paths: [join(files, 'author-headshot.jpg')] });
      expect(queued[0]!.optimize).toBe('avatar');
      await world.engine.run();
      const own = world.engine.uploads.summary(queued[0]!.id)!;
      expect(own).toMatchObject({ status: 'verified', objectKey: 'authors/avatars/author-headshot-1024.webp' });
      expect(own.image).toMatchObject({ variant: '1024', origin: join(files, 'author-headshot.jpg') });
      expect(own.imageSet?.originalKept).toBe(false);
      const square = await objectImage(own.objectKey);
      // An avatar is square; the photo is 1000 px tall, so the 1024 slot is 1000 x 1000.
      expect([square.metadata.width, square.metadata.height]).toEqual([1000, 1000]);
      await expect(headOf(world.s3, world.bucket, 'authors/avatars/author-headshot.jpg')).rejects.toThrow();
    } finally {
      world.engine.updateSettings({ imageKeepOriginal: true });
    }
  }, 60_000);
});
