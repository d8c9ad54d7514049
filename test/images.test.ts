import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imagePresets, MAX_IMAGE_PIXELS, type ImageFormat, type ImagePresetName } from '../src/shared/images';
import { ImageCache } from '../src/main/core/images/imageCache';
import type { PreparedSet, PrepareRequest } from '../src/main/core/images/imageJob';
import { ImagePool } from '../src/main/core/images/imagePool';
import { CMYK_NOTICE } from '../src/main/core/images/prepareImage';
import { planVariants } from '../src/main/core/images/variantPlan';
import { tempDir } from './support/tempDir';
import { CAMERA_MAKE, writeAnimatedWebp, writeBomb, writeCmykJpeg, writeLogoPng, writeTruncatedJpeg } from './support/testImages';
import { waitFor } from './support/waitFor';

/**
 * The image worker side of issue 13, with real sharp, real files and real worker processes:
 * what the author is promised (sizes, orientation, no GPS, alpha, sRGB), bad images failing alone
 * with a message naming them, the cache surviving a restart, a crashed worker costing one image.
 */

const sizes = (set: PreparedSet) => set.outputs.map((o) => `${o.variant}:${o.width}x${o.height}`);

describe('variant plan', () => {
  const plan = (preset: ImagePresetName, w: number, h: number) => planVariants(imagePresets[preset], w, h).map((v) => `${v.variant}:${v.width}x${v.height}`);

  it('makes the web set of a 24 MP photo inside 1920x1080, and a 200 px thumbnail', () => {
    expect(plan('web', 6000, 4000)).toEqual(['480:480x320', '768:768x512', '1024:1024x683', '1920:1620x1080', 'thumb:200x133']);
  });

  it('never upscales, and drops a slot that would repeat the one before', () => {
    expect(plan('web', 1000, 800)).toEqual(['480:480x384', '768:768x614', '1024:1000x800', 'thumb:200x160']);
    // Smaller than the smallest slot: that one slot, at the source's own size.
    expect(plan('web', 300, 200)).toEqual(['480:300x200', 'thumb:200x133']);
    expect(plan('web', 150, 90)).toEqual(['480:150x90', 'thumb:150x90']);
  });

  it('keeps a tall picture inside the web box, and a tall cover at full height by width', () => {
    expect(plan('web', 1000, 3000)).toEqual(['480:360x1080', 'thumb:67x200']);
    expect(plan('print-cover', 1600, 2560)).toEqual(['480:480x768', '768:768x1229', '1024:1024x1638', '1920:1600x2560', 'thumb:125x200']);
  });

  it('crops avatars square, never beyond the shorter side', () => {
    expect(plan('avatar', 3000, 2000)).toEqual(['480:480x480', '768:768x768', '1024:1024x1024', 'thumb:200x200']);
    expect(plan('avatar', 300, 500)).toEqual(['480:300x300', 'thumb:200x200']);
    expect(plan('avatar', 150, 100)).toEqual(['480:100x100', 'thumb:100x100']);
  });

  it('holds its rules for any size: ascending, inside source and box, the source aspect kept', () => {
    let seed = 7;
    const next = (max: number) => 1 + ((seed = (seed * 48271) % 2147483647) % max);
    for (let i = 0; i < 2000; i += 1) {
      const [w, h] = [next(i % 2 ? 400 : 12000), next(i % 3 ? 9000 : 300)];
      for (const preset of Object.values(imagePresets)) {
        const variants = planVariants(preset, w, h);
        const set = variants.filter((v) => v.variant !== 'thumb');
        expect(set.length).toBeGreaterThanOrEqual(1);
        for (const [k, v] of variants.entries()) {
          expect(v.width).toBeLessThanOrEqual(w);
          expect(v.height).toBeLessThanOrEqual(h);
          if (preset.box && v.variant !== 'thumb') expect(v.width <= preset.box.width && v.height <= preset.box.height).toBe(true);
          if (preset.square) expect(v.width).toBe(v.height);
          // The source's aspect: one side is the other scaled, rounded to the pixel (unless a side is down to 1 px).
          else expect(Math.abs(v.height - (v.width * h) / w) <= 0.5 || Math.abs(v.width - (v.height * w) / h) <= 0.5 || Math.min(v.width, v.height) === 1).toBe(true);
          if (k > 0 && v.variant !== 'thumb') expect(v.width).toBeGreaterThan(set[k - 1]!.width);
        }
        const thumb = variants.at(-1)!;
        expect(thumb.variant).toBe('thumb');
        expect(Math.max(thumb.width, thumb.height)).toBeLessThanOrEqual(preset.thumbnail);
      }
    }
  });
});

// ---- Files, as authors have them ------------------------------------------------------------

const dir = tempDir('images');
const cacheDir = join(dir, 'cache');
const file = {
  sideways: join(dir, 'phone-photo.jpg'), // 600x400 stored, EXIF orientation 6: shown 400x600
  logo: join(dir, 'logo.png'),
  big: join(dir, 'scan-12000x8000.jpg'),
  cmyk: join(dir, 'print-cover-cmyk.jpg'),
  random: join(dir, 'random-bytes.jpg'),
  fakeJpeg: join(dir, 'fake-header.jpg'),
  truncated: join(dir, 'cut-short.jpg'),
  bomb: join(dir, 'bomb-20000.png'),
  gif: join(dir, 'animated.gif'),
  webp: join(dir, 'animated.webp'),
};

function request(path: string, options: Partial<PrepareRequest> & { presetName?: ImagePresetName } = {}): PrepareRequest {
  const { presetName, ...rest } = options;
  // The label is what the author sees; it is not the path the worker reads.
  return { sourcePath: path, label: `books/${path.slice(dir.length + 1)}`, preset: imagePresets[presetName ?? 'web'], format: 'webp', quality: 85, keepMetadata: false, maxPixels: MAX_IMAGE_PIXELS, ...rest };
}

/** A 12000x8000 photo-like JPEG in about 2 s: a noise tile repeated (JPEG gains nothing from repetition, so it weighs like a photo, ~20 MB). */
async function writeBigPhoto(path: string): Promise<void> {
  const tile = await sharp({ create: { width: 1500, height: 1000, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 120, sigma: 40 } } })
    .blur(1)
    .png({ compressionLevel: 0 })
    .toBuffer();
  await sharp(tile).extend({ right: 10500, bottom: 7000, extendWith: 'repeat' }).jpeg({ quality: 80 }).toFile(path);
}

/**
 * A phone photo held upright: stored 600x400 with EXIF orientation 6 ("turn right to show"), its
 * stored left half red and right half blue, so shown upright it is red above blue. Camera and
 * GPS tags as a phone writes them.
 */
async function writeSidewaysPhoto(path: string): Promise<void> {
  await sharp({ create: { width: 600, height: 400, channels: 3, background: '#d02020' } })
    .composite([{ input: { create: { width: 300, height: 400, channels: 3, background: '#2020d0' } }, left: 300, top: 0 }])
    .withExif({ IFD0: { Make: CAMERA_MAKE, Model: 'Q1' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 2657/100', GPSLongitudeRef: 'W', GPSLongitude: '0/1 7/1 3951/100' } })
    // sharp writes the orientation tag from its own setting, whatever withExif says.
    .withMetadata({ orientation: 6 })
    .jpeg({ quality: 90 })
    .toFile(path);
}

/** The colour at a point of an image, as [r, g, b]. */
async function colourAt(path: string, x: number, y: number): Promise<number[]> {
  return [...(await sharp(path).removeAlpha().extract({ left: x, top: y, width: 1, height: 1 }).raw().toBuffer())];
}

async function writeAnimatedGif(path: string): Promise<void> {
  const frames = await Promise.all(['#e33', '#33e'].map((background) => sharp({ create: { width: 64, height: 48, channels: 3, background } }).png().toBuffer()));
  await sharp(frames, { join: { animated: true } }).gif().toFile(path);
}

/** The tags in a raw EXIF block: IFD0's, and the GPS IFD's that IFD0 points to (tag 0x8825). */
function exifTags(exif: Buffer): { ifd0: number[]; gps: number[] } {
  const tiff = exif.subarray(exif.subarray(0, 6).toString('latin1') === 'Exif\0\0' ? 6 : 0);
  const little = tiff.toString('latin1', 0, 2) === 'II';
  const u16 = (at: number) => (little ? tiff.readUInt16LE(at) : tiff.readUInt16BE(at));
  const u32 = (at: number) => (little ? tiff.readUInt32LE(at) : tiff.readUInt32BE(at));
  const ifd = (at: number) => Array.from({ length: u16(at) }, (_, i) => ({ tag: u16(at + 2 + i * 12), value: u32(at + 2 + i * 12 + 8) }));
  const ifd0 = ifd(u32(4));
  const gpsPointer = ifd0.find((entry) => entry.tag === 0x8825);
  return { ifd0: ifd0.map((entry) => entry.tag), gps: gpsPointer ? ifd(gpsPointer.value).map((entry) => entry.tag) : [] };
}

async function expectFailure(promise: Promise<unknown>, code: string, label: string, words: RegExp) {
  const error = await promise.then(
    () => null,
    (e: unknown) => e as { code: string; message: string },
  );
  expect(error, `${label} should fail with ${code}`).not.toBeNull();
  expect(error!.code).toBe(code);
  expect(error!.message).toContain(label);
  expect(error!.message).toMatch(words);
}

const pools: ImagePool[] = [];
function newPool(options: Partial<ConstructorParameters<typeof ImagePool>[0]> = {}): ImagePool {
  const pool = new ImagePool({ cacheDir, size: 2, ...options });
  pools.push(pool);
  return pool;
}
afterAll(async () => {
  await Promise.all(pools.map((pool) => pool.stop()));
});

beforeAll(async () => {
  const fakeJpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(40_000)]);
  await Promise.all([
    writeSidewaysPhoto(file.sideways),
    writeLogoPng(file.logo, 900, 600),
    writeBigPhoto(file.big),
    writeCmykJpeg(file.cmyk, 1200, 1800),
    writeBomb(file.bomb),
    writeTruncatedJpeg(file.truncated),
    writeAnimatedGif(file.gif),
    writeAnimatedWebp(file.webp),
  ]);
  writeFileSync(file.random, randomBytes(50_000));
  writeFileSync(file.fakeJpeg, fakeJpeg);
});

describe('image pool (native sharp)', () => {
  const pool = newPool();
  const made: Record<string, PreparedSet> = {};

  it('has real inputs: the phone photo carries GPS and camera tags and orientation 6, the cover is CMYK, the bomb says 20000x20000', async () => {
    const photo = await sharp(file.sideways).metadata();
    expect(photo.orientation).toBe(6);
    const tags = exifTags(photo.exif!);
    expect(tags.gps).toEqual(expect.arrayContaining([1, 2, 3, 4])); // latitude and longitude, with their N/W
    expect(photo.exif!.includes(CAMERA_MAKE)).toBe(true);
    expect((await sharp(file.cmyk).metadata()).space).toBe('cmyk');
    const bomb = await sharp(file.bomb, { limitInputPixels: false }).metadata();
    expect([bomb.width, bomb.height, statSync(file.bomb).size < 200_000]).toEqual([20000, 20000, true]);
    expect((await sharp(file.big).metadata()).width).toBe(12000);
    expect(statSync(file.big).size).toBeGreaterThan(8_000_000);
  });

  it('prepares a batch where the bad images fail alone, each with its code and a message naming it', async () => {
    const good = { sideways: file.sideways, logo: file.logo, big: file.big, cmyk: file.cmyk };
    const bad = {
      random: ['image_invalid', /not an image/],
      fakeJpeg: ['image_invalid', /could not be read|damaged/],
      truncated: ['image_invalid', /damaged or not completely written/],
      bomb: ['image_too_large', /20000 × 20000.*refused before it is decoded/],
      gif: ['image_unsupported', /2 frames/],
      webp: ['image_unsupported', /2 frames/],
    } as const;
    const goodRuns = Object.entries(good).map(async ([name, path]) => (made[name] = await pool.prepare(request(path))));
    const badRuns = Object.entries(bad).map(([name, [code, words]]) => {
      const req = request(file[name as keyof typeof bad]);
      return expectFailure(pool.prepare(req), code, req.label, words);
    });
    await Promise.all([...goodRuns, ...badRuns]);
    for (const name of Object.keys(bad)) {
      // Every failure says how to send the file anyway.
      await expect(pool.prepare(request(file[name as keyof typeof bad]))).rejects.toThrow(/Upload as is.*quire resume --as-is/);
    }
    expect(pool.stats()).toMatchObject({ encoded: 4, cacheHits: 0, crashes: 0, failed: 12 });
    expect(pool.info().build).toBe('native');
  });

  it('turns the photo upright (EXIF orientation 6 gives portrait variants)', async () => {
    const set = made.sideways!;
    expect(set.source).toEqual({ width: 400, height: 600, format: 'jpeg' });
    expect(sizes(set)).toEqual(['480:400x600', 'thumb:133x200']);
    for (const output of set.outputs) {
      const meta = await sharp(output.path).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(['webp', output.width, output.height]);
      // Red above blue: turned, not squeezed into portrait.
      const [top, bottom] = [await colourAt(output.path, Math.floor(output.width / 2), 4), await colourAt(output.path, Math.floor(output.width / 2), output.height - 5)];
      expect(top[0]! - top[2]!).toBeGreaterThan(120);
      expect(bottom[2]! - bottom[0]!).toBeGreaterThan(120);
    }
  });

  it('lets no EXIF, GPS, camera tag or ICC profile into any output by default', async () => {
    for (const set of Object.values(made)) {
      for (const output of set.outputs) {
        const meta = await sharp(output.path).metadata();
        expect({ exif: meta.exif, icc: meta.icc, xmp: meta.xmp, orientation: meta.orientation }).toEqual({ exif: undefined, icc: undefined, xmp: undefined, orientation: undefined });
        expect(readFileSync(output.path).includes(CAMERA_MAKE)).toBe(false);
      }
    }
  });

  it('makes the promised sizes of a 12000x8000 photo, each file as recorded (size and SHA-256)', async () => {
    const set = made.big!;
    expect(sizes(set)).toEqual(['480:480x320', '768:768x512', '1024:1024x683', '1920:1620x1080', 'thumb:200x133']);
    for (const output of set.outputs) {
      const bytes = readFileSync(output.path);
      expect(bytes.length).toBe(output.size);
      const { createHash } = await import('node:crypto');
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(output.sha256);
      expect(output.contentType).toBe('image/webp');
      const meta = await sharp(bytes).metadata();
      expect([meta.width, meta.height]).toEqual([output.width, output.height]);
    }
    expect(set.sourceSize).toBe(statSync(file.big).size);
    expect(set.dominantColor).toMatch(/^#[0-9a-f]{6}$/);
  });

  it('keeps the logo transparent in WebP', async () => {
    const set = made.logo!;
    expect(sizes(set)).toEqual(['480:480x320', '768:768x512', '1024:900x600', 'thumb:200x133']);
    for (const output of set.outputs) expect((await sharp(output.path).metadata()).hasAlpha).toBe(true);
    // The disc's green (#11aa66), not the transparent corners' black.
    const [r, g, b] = [1, 3, 5].map((at) => parseInt(set.dominantColor.slice(at, at + 2), 16)) as [number, number, number];
    expect(g).toBeGreaterThan(r + 80);
    expect(g).toBeGreaterThan(b + 30);
  });

  it('converts a CMYK cover to sRGB and says so', async () => {
    const set = made.cmyk!;
    expect(set.notices).toEqual([CMYK_NOTICE]);
    const meta = await sharp(set.outputs[0]!.path).metadata();
    expect([meta.space, meta.channels]).toEqual(['srgb', 3]);
    // The colour survives the conversion (the cover was rgb(20, 90, 160) before it went CMYK).
    const { dominant } = await sharp(set.outputs[0]!.path).stats();
    expect(Math.abs(dominant.b - 160)).toBeLessThan(40);
    expect(dominant.b).toBeGreaterThan(dominant.r + 60);
  });

  it('never encodes an unchanged image twice: not in the same pool, not in a new one after a restart', async () => {
    const before = pool.stats();
    const again = await pool.prepare(request(file.big));
    expect(again.cacheHit).toBe(true);
    expect(again.outputs).toEqual(made.big!.outputs);
    expect(pool.stats()).toMatchObject({ encoded: before.encoded, cacheHits: before.cacheHits + 1 });

    const restarted = newPool({ size: 1 });
    const afterRestart = await Promise.all([restarted.prepare(request(file.sideways)), restarted.prepare(request(file.cmyk))]);
    expect(afterRestart.map((set) => set.cacheHit)).toEqual([true, true]);
    expect(restarted.stats()).toMatchObject({ encoded: 0, cacheHits: 2 });
    await restarted.stop();
  });

  it('encodes again for another quality, or when a cached file went missing', async () => {
    const lower = await pool.prepare(request(file.sideways, { quality: 50 }));
    expect(lower.cacheHit).toBe(false);
    expect(lower.outputs[0]!.path).not.toBe(made.sideways!.outputs[0]!.path);
    // Encoded at that quality (VP8's quantizer is in every file's header), not copied.
    expect(lower.outputs[0]!.sha256).not.toBe(made.sideways!.outputs[0]!.sha256);

    unlinkSync(lower.outputs.at(-1)!.path);
    const remade = await pool.prepare(request(file.sideways, { quality: 50 }));
    expect(remade.cacheHit).toBe(false);
    expect(existsSync(remade.outputs.at(-1)!.path)).toBe(true);
  });

  it('lets two workers make the same new entry at once: both succeed, one entry, no leftovers', async () => {
    const [a, b] = await Promise.all([pool.prepare(request(file.logo, { quality: 70 })), pool.prepare(request(file.logo, { quality: 70 }))]);
    expect(a.outputs.map((o) => o.sha256)).toEqual(b.outputs.map((o) => o.sha256));
    expect(a.outputs.every((o) => existsSync(o.path))).toBe(true);
    const sourceFolder = join(cacheDir, a.sourceSha256);
    expect(readdirSync(sourceFolder).filter((name) => name.startsWith('.'))).toEqual([]);
  });

  it('keeps metadata only when asked: EXIF with GPS and camera, upright, with an sRGB profile', async () => {
    const set = await pool.prepare(request(file.sideways, { keepMetadata: true }));
    expect(sizes(set)).toEqual(['480:400x600', 'thumb:133x200']);
    const meta = await sharp(set.outputs[0]!.path).metadata();
    expect(exifTags(meta.exif!).gps).toEqual(expect.arrayContaining([1, 2, 3, 4]));
    expect(meta.exif!.includes(CAMERA_MAKE)).toBe(true);
    expect(meta.orientation ?? 1).toBe(1); // turned already: a viewer must not turn it again
    expect(meta.icc?.length).toBeGreaterThan(0);
    expect([meta.width, meta.height]).toEqual([400, 600]);
  });

  it('makes progressive JPEGs on white when JPEG is the format, and AVIF when asked', async () => {
    const jpeg = await pool.prepare(request(file.logo, { format: 'jpeg' as ImageFormat }));
    expect(jpeg.outputs.map((o) => o.path.slice(-4))).toEqual(['.jpg', '.jpg', '.jpg', '.jpg']);
    const meta = await sharp(jpeg.outputs[0]!.path).metadata();
    expect([meta.format, meta.isProgressive, meta.hasAlpha]).toEqual(['jpeg', true, false]);
    const corner = await sharp(jpeg.outputs[0]!.path).extract({ left: 0, top: 0, width: 1, height: 1 }).raw().toBuffer();
    expect([...corner].every((c) => c > 245)).toBe(true);

    const avif = await pool.prepare(request(file.sideways, { format: 'avif' }));
    const avifMeta = await sharp(avif.outputs[0]!.path).metadata();
    expect([avifMeta.format, avifMeta.compression, avifMeta.width, avifMeta.height]).toEqual(['heif', 'av1', 400, 600]);
    expect(avif.outputs[0]!.contentType).toBe('image/avif');
  });

  it('crops avatars square', async () => {
    const set = await pool.prepare(request(file.cmyk, { presetName: 'avatar' }));
    expect(sizes(set)).toEqual(['480:480x480', '768:768x768', '1024:1024x1024', 'thumb:200x200']);
    const meta = await sharp(set.outputs[2]!.path).metadata();
    expect([meta.width, meta.height]).toEqual([1024, 1024]);
  });
});

describe('image pool: workers that die, aborts, stop', () => {
  it('fails only the image whose worker crashed, and goes on with a new worker', async () => {
    const pool = newPool({ size: 1 });
    // A worker that has loaded sharp (one killed while starting would be "could not start", not a crash).
    await pool.prepare(request(file.logo));
    const big = request(file.big, { quality: 61 });
    const crashed = pool.prepare(big);
    const next = pool.prepare(request(file.sideways, { quality: 61 }));
    const pid = await waitFor('the worker to take the big photo', () => pool.info().workers.find((w) => w.busyWith === big.label)?.pid, 20_000, 5);
    // What a decoder's bad memory access does to its process.
    process.kill(pid, 'SIGSEGV');
    await expectFailure(crashed, 'image_invalid', big.label, /crashed on .*SIGSEGV.*Upload as is/);
    const after = await next;
    expect(after.cacheHit).toBe(false);
    expect(pool.stats()).toMatchObject({ crashes: 1, failed: 1, encoded: 1, cacheHits: 1 });
    expect(pool.info().workers.map((w) => w.pid)).not.toContain(pid);
  });

  it('does not blame the file when its worker is killed from outside, and shrugs off Ctrl-C', async () => {
    const pool = newPool({ size: 1 });
    await pool.prepare(request(file.logo));
    const big = request(file.big, { quality: 63 });
    const interrupted = pool.prepare(big);
    const pid = await waitFor('the worker to take the big photo', () => pool.info().workers.find((w) => w.busyWith === big.label)?.pid, 20_000, 5);
    // Ctrl-C in the terminal reaches the worker too: it carries on, the engine decides.
    process.kill(pid, 'SIGINT');
    expect((await interrupted).outputs.length).toBeGreaterThan(0);
    const killed = pool.prepare(request(file.big, { quality: 64 }));
    const again = await waitFor('the worker to take it', () => pool.info().workers.find((w) => w.busyWith === big.label)?.pid, 20_000, 5);
    // The system short of memory kills with SIGKILL: retryable, and not called a damaged file.
    process.kill(again, 'SIGKILL');
    await expectFailure(killed, 'internal', big.label, /was stopped .*SIGKILL.*Retry it/);
    expect(pool.stats().crashes).toBe(0);
  });

  it('removes an aborted image from the queue, or ends the worker making it (no crash counted)', async () => {
    const pool = newPool({ size: 1 });
    const running = new AbortController();
    const queued = new AbortController();
    const first = pool.prepare(request(file.big, { quality: 62 }), running.signal);
    const second = pool.prepare(request(file.cmyk, { quality: 62 }), queued.signal);
    const third = pool.prepare(request(file.logo, { quality: 62 }));
    const pid = await waitFor('a busy worker', () => pool.info().workers.find((w) => w.busyWith)?.pid, 20_000, 5);
    queued.abort(new DOMException('paused', 'AbortError'));
    running.abort(new DOMException('cancelled', 'AbortError'));
    await expect(second).rejects.toThrow('paused');
    await expect(first).rejects.toThrow('cancelled');
    expect((await third).cacheHit).toBe(false);
    expect(pool.stats()).toMatchObject({ crashes: 0, failed: 0, encoded: 1 });
    await waitFor('the aborted worker to exit', () => !isAlive(pid), 10_000);
  });

  it('stop() ends every worker and rejects the work left as aborted; the pool starts again when asked', async () => {
    const pool = newPool({ size: 1 });
    const a = pool.prepare(request(file.big, { quality: 63 }));
    const b = pool.prepare(request(file.logo, { quality: 63 }));
    const rejected = Promise.all([expect(a).rejects.toMatchObject({ name: 'AbortError' }), expect(b).rejects.toMatchObject({ name: 'AbortError' })]);
    const pid = await waitFor('a busy worker', () => pool.info().workers[0]?.pid, 20_000, 5);
    await pool.stop();
    await rejected;
    expect(isAlive(pid)).toBe(false);
    expect(pool.info().workers).toEqual([]);
    expect((await pool.prepare(request(file.logo, { quality: 63 }))).outputs.length).toBe(4);
  });

  it('lets an idle worker exit, returning its memory', async () => {
    const pool = newPool({ size: 1, idleMs: 100 });
    await pool.prepare(request(file.logo));
    const pid = pool.info().workers[0]!.pid;
    await waitFor('the idle worker to exit', () => !isAlive(pid) && pool.info().workers.length === 0, 10_000);
  });
});

describe('image pool (WebAssembly sharp, as the desktop app on Linux runs it)', () => {
  it('loads the wasm build and makes the same variants as native', async () => {
    const wasmCache = join(dir, 'cache-wasm');
    const native = newPool({ size: 1 });
    const wasm = newPool({ size: 1, build: 'wasm', cacheDir: wasmCache });
    for (const path of [file.sideways, file.logo, file.cmyk]) {
      const [n, w] = [await native.prepare(request(path)), await wasm.prepare(request(path))];
      expect(w.cacheHit).toBe(false);
      expect(sizes(w)).toEqual(sizes(n));
      for (const output of w.outputs) {
        const meta = await sharp(output.path).metadata();
        expect([meta.format, meta.width, meta.height, meta.exif]).toEqual(['webp', output.width, output.height, undefined]);
      }
    }
    expect(wasm.info().build).toBe('wasm');
    expect(native.info().build).toBe('native');
    await expectFailure(wasm.prepare(request(file.bomb)), 'image_too_large', request(file.bomb).label, /megapixels/);
    await expectFailure(wasm.prepare(request(file.truncated)), 'image_invalid', request(file.truncated).label, /damaged/);
  });
});

describe('image cache eviction', () => {
  it('removes the least recently used entries first, sparing those still needed, down to the budget', async () => {
    const evictDir = join(dir, 'cache-evict');
    const pool = newPool({ size: 1, cacheDir: evictDir });
    const sets: PreparedSet[] = [];
    for (const path of [file.sideways, file.logo, file.cmyk]) sets.push(await pool.prepare(request(path)));
    const entryOf = (set: PreparedSet) => join(set.outputs[0]!.path, '..');
    const bytesOf = (set: PreparedSet) => readdirSync(entryOf(set)).reduce((sum, name) => sum + statSync(join(entryOf(set), name)).size, 0);
    // Used long ago: the logo, then the photo; the CMYK cover is the freshest.
    const aged = (set: PreparedSet, secondsAgo: number) => utimesSync(join(entryOf(set), 'manifest.json'), new Date(), new Date(Date.now() - secondsAgo * 1000));
    aged(sets[1]!, 300);
    aged(sets[0]!, 200);
    const cache = new ImageCache(evictDir);
    const [photoBytes, logoBytes, coverBytes] = sets.map(bytesOf) as [number, number, number];

    // One byte over the budget: only the least recently used (the logo) goes.
    const first = await cache.evict(photoBytes + logoBytes + coverBytes - 1, () => false);
    expect(first).toEqual({ removed: 1, entries: 2, freedBytes: logoBytes, bytes: photoBytes + coverBytes });
    expect(existsSync(entryOf(sets[1]!))).toBe(false);
    expect(existsSync(entryOf(sets[0]!))).toBe(true);

    // Nothing may stay, but the photo's entry is still needed by an upload.
    const second = await cache.evict(0, (entry) => entry === entryOf(sets[0]!));
    expect(second).toEqual({ removed: 1, entries: 1, freedBytes: coverBytes, bytes: photoBytes });
    expect(existsSync(entryOf(sets[0]!))).toBe(true);
    expect(existsSync(entryOf(sets[2]!))).toBe(false);
    expect(readdirSync(evictDir)).toEqual([sets[0]!.sourceSha256]);

    // A removed entry is simply a miss: made again.
    expect((await pool.prepare(request(file.logo))).cacheHit).toBe(false);
    rmSync(evictDir, { recursive: true, force: true });
  });
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
