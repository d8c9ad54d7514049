import { writeFile } from 'node:fs/promises';
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';

/**
 * Images the image tests make for themselves, with sharp, so every case is a real file of the
 * kind authors have: a phone photo on its side with GPS, a logo with transparency, a big scan, a
 * CMYK print cover, and the bad ones (not an image, cut short, a decompression bomb, animated).
 */

/** The camera and position a phone writes: none of it may reach the bucket. */
export const CAMERA_MAKE = 'QuireTestCam';
const GPS = { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 2657/100', GPSLongitudeRef: 'W', GPSLongitude: '0/1 7/1 3951/100' };

/** A photo-like JPEG: smoothed noise, which compresses like a photo's detail (not like flat colour, and not like raw noise, which no encoder can shrink). */
export async function writePhoto(path: string, width: number, height: number, options: { orientation?: number; gps?: boolean; quality?: number } = {}): Promise<void> {
  // Noise made at a quarter of the size and scaled up: a 96-megapixel photo in seconds, not a quarter minute.
  const scale = width * height > 30_000_000 ? 4 : 1;
  const small = { width: Math.ceil(width / scale), height: Math.ceil(height / scale) };
  const noise = await sharp({ create: { ...small, channels: 3, background: '#000', noise: { type: 'gaussian', mean: 120, sigma: 40 } } })
    .blur(3)
    .resize(width, height, { kernel: 'cubic' })
    .raw()
    .toBuffer();
  let image = sharp(noise, { raw: { width, height, channels: 3 } });
  if (options.gps) image = image.withExif({ IFD0: { Make: CAMERA_MAKE, Model: 'Q1' }, IFD3: GPS });
  if (options.orientation) image = image.withMetadata({ orientation: options.orientation });
  await image.jpeg({ quality: options.quality ?? 88 }).toFile(path);
}

/** A PNG with a transparent background and an opaque disc (a logo). */
export async function writeLogoPng(path: string, width: number, height: number): Promise<void> {
  const disc = Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><circle cx="${width / 2}" cy="${height / 2}" r="${Math.min(width, height) / 3}" fill="#1a6"/></svg>`);
  await sharp({ create: { width, height, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } })
    .composite([{ input: disc }])
    .png()
    .toFile(path);
}

/** A CMYK JPEG, as print covers are delivered. */
export async function writeCmykJpeg(path: string, width: number, height: number): Promise<void> {
  await sharp({ create: { width, height, channels: 3, background: { r: 20, g: 90, b: 160 } } })
    .toColourspace('cmyk')
    .jpeg()
    .toFile(path);
}

/**
 * A PNG whose header says 20000 x 20000 (400 megapixels): about 60 KB on disk, gigabytes decoded.
 * Written by hand (1-bit grey, every row zero) because making it through an encoder would
 * itself take the memory the bomb is about.
 */
export async function writeBomb(path: string, side = 20000): Promise<void> {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(side, 0);
  header.writeUInt32BE(side, 4);
  header.set([1, 0, 0, 0, 0], 8); // bit depth 1, greyscale, deflate, no filter method, no interlace
  const row = 1 + Math.ceil(side / 8); // a filter byte, then the row's bits
  const pixels = deflateSync(Buffer.alloc(row * side), { level: 9 });
  await writeFile(path, Buffer.concat([PNG_SIGNATURE, chunk('IHDR', header), chunk('IDAT', pixels), chunk('IEND', Buffer.alloc(0))]));
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typed = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed));
  return Buffer.concat([length, typed, crc]);
}

/** A file named like a JPEG that is not an image at all. */
export async function writeNotAnImage(path: string): Promise<void> {
  await writeFile(path, 'This is the manuscript, not a photo.\n'.repeat(200));
}

/** A real JPEG cut off halfway (a copy interrupted). */
export async function writeTruncatedJpeg(path: string, width = 800, height = 600): Promise<void> {
  const whole = await sharp({ create: { width, height, channels: 3, background: '#000', noise: { type: 'gaussian', mean: 120, sigma: 40 } } }).jpeg().toBuffer();
  await writeFile(path, whole.subarray(0, Math.floor(whole.length / 2)));
}

/** A two-frame animated WebP. */
export async function writeAnimatedWebp(path: string, width = 120, height = 80): Promise<void> {
  const frames = await Promise.all(
    [{ r: 255, g: 0, b: 0 }, { r: 0, g: 0, b: 255 }].map((background) => sharp({ create: { width, height, channels: 3, background } }).raw().toBuffer()),
  );
  await sharp(Buffer.concat(frames), { raw: { width, height: height * 2, channels: 3, pageHeight: height } as never })
    .webp({ loop: 0, delay: [100, 100] })
    .toFile(path);
}
