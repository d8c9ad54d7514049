import { mkdir, readdir, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';

/** One generated photo: where it is and how it was made. */
export interface Photo {
  path: string;
  bytes: number;
  /** EXIF orientation written: 1 stores the pixels as shown; 6 stores them turned a quarter left, to be shown turned right. */
  orientation: 1 | 6;
}

/**
 * Photos for the images section, made once and kept in `dataDir` (bench/.work/data is git-ignored):
 * `count` JPEGs that are all shown `width`×`height` (landscape). Real photos, not flat colour, is
 * what the figures need: a flat image compresses to nothing and decodes in no time, so the encoder
 * would look far faster and the savings far larger than any author will see. Each is built from
 * seeded noise at several scales (a sky-to-ground gradient, soft colour fields, hard-edged regions,
 * texture, grain) and saved at JPEG quality 92, so it weighs what a camera's file weighs (about
 * 5.5 MB at 24 MP) and its WebP variants what a photo's do.
 *
 * Every other photo is stored turned (4000×6000 pixels with EXIF orientation 6), the way a camera
 * held upright writes it, so a tool that ignored EXIF orientation would make portrait variants of a
 * landscape photo: the size check catches it. Every photo carries camera and GPS tags, which no
 * variant may keep. Photo N is the same on every machine and in every run (seeded by N), so a run
 * with fewer photos uses the first ones and a run with more makes only the missing ones; each is
 * written under a temporary name and renamed, so a photo that exists is whole.
 */
export async function ensurePhotos(dataDir: string, count: number, width: number, height: number, log: (message: string) => void): Promise<Photo[]> {
  const dir = join(dataDir, `photos-${width}x${height}`);
  await mkdir(dir, { recursive: true });
  const existing = new Set(await readdir(dir));
  const photos: Photo[] = [];
  for (let i = 0; i < count; i += 1) {
    const name = `photo-${String(i + 1).padStart(2, '0')}.jpg`;
    const path = join(dir, name);
    const orientation = i % 2 === 0 ? 1 : 6;
    if (!existing.has(name)) {
      log(`images: generating ${name} (${width}×${height}) in ${dir} (once; about 2 s)`);
      await writeFile(`${path}.partial`, await makePhoto(width, height, 1000 + i * 10, orientation));
      await rename(`${path}.partial`, path);
    }
    photos.push({ path, bytes: (await stat(path)).size, orientation });
  }
  return photos;
}

/** A deterministic photo-like JPEG of `width`×`height` as shown, from `seed`. */
export async function makePhoto(width: number, height: number, seed: number, orientation: 1 | 6): Promise<Buffer> {
  const pixels = width * height;
  // Soft colour fields (a 12×8 grid of random colours smoothed up to full size), hard-edged
  // regions (a 120×80 field, thresholded below), texture (1500×1000) and per-pixel grain.
  const colour = await upscaledNoise(12, 8, 3, seed, width, height);
  const regions = await upscaledNoise(120, 80, 1, seed + 1, width, height);
  const texture = await upscaledNoise(Math.round(width / 4), Math.round(height / 4), 1, seed + 2, width, height);
  const grain = noise(pixels, seed + 3);
  const sky = [150, 185, 225];
  const ground = [85, 70, 45];
  const out = Buffer.allocUnsafe(pixels * 3);
  for (let p = 0, q = 0; p < pixels; p += 1, q += 3) {
    const y = Math.floor(p / width) / height;
    const light = regions[p]! > 128 ? 1.15 : 0.75;
    const detail = (texture[p]! - 128) * 0.35 + (grain[p]! - 128) * 0.08;
    for (let c = 0; c < 3; c += 1) {
      const value = (sky[c]! * (1 - y) + ground[c]! * y) * 0.6 * light + colour[q + c]! * 0.4 * light + detail;
      out[q + c] = value < 0 ? 0 : value > 255 ? 255 : value;
    }
  }
  // Orientation 6 means "turn right to show": its pixels are stored turned left.
  return sharp(out, { raw: { width, height, channels: 3 } })
    .rotate(orientation === 6 ? 270 : 0)
    .blur(0.8)
    .jpeg({ quality: 92 })
    .withExif({
      IFD0: { Make: 'Quire Bench', Model: 'Generated 24 MP' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '48/1 51/1 2400/100', GPSLongitudeRef: 'E', GPSLongitude: '2/1 21/1 300/100' },
    })
    // sharp writes the orientation tag from its own setting, whatever withExif says.
    .withMetadata({ orientation })
    .toBuffer();
}

/** Noise of `w`×`h`×`channels` from `seed`, enlarged smoothly (bicubic) to `width`×`height`, as raw bytes. */
async function upscaledNoise(w: number, h: number, channels: 1 | 3, seed: number, width: number, height: number): Promise<Buffer> {
  return sharp(noise(w * h * channels, seed), { raw: { width: w, height: h, channels } })
    .resize(width, height, { kernel: 'cubic' })
    .raw()
    .toBuffer();
}

/** `length` pseudo-random bytes from `seed` (mulberry32): the same photos on every machine. */
function noise(length: number, seed: number): Buffer {
  let state = seed >>> 0;
  const bytes = Buffer.allocUnsafe(length + 3);
  for (let i = 0; i < length; i += 4) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    bytes.writeUInt32LE((t ^ (t >>> 14)) >>> 0, i);
  }
  return bytes.subarray(0, length);
}
