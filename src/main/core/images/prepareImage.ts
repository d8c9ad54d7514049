import { createHash } from 'node:crypto';
import { open, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type sharpModule from 'sharp';
import type { Sharp as SharpPipeline, SharpOptions } from 'sharp';
import { contentTypeOfFormat, extensionOfFormat, type ImageFormat } from '../../../shared/images';
import { printable } from '../../../shared/printable';
import { QuireError } from '../errors';
import type { PreparedOutput, PreparedSet, PrepareRequest } from './imageJob';
import { baseVariant, planVariants, type PlannedVariant } from './variantPlan';

/**
 * The sharp pipeline, run inside an image worker process (imageWorker.ts). sharp is handed in,
 * not imported: the worker chooses the native or the WebAssembly build before loading it.
 */
export type Sharp = typeof sharpModule;

/** The source as read once: the bytes decoded are the bytes hashed, so the set always belongs to `sha256`. */
export interface SourceBytes {
  bytes: Buffer;
  sha256: string;
  size: number;
  mtimeMs: number;
}

/**
 * Files above this are refused before being read: the worker holds the whole file in memory, and
 * even a 150-megapixel 16-bit TIFF is smaller. One image per worker and a bounded pool keep the
 * rest of memory bounded.
 */
export const MAX_SOURCE_BYTES = 1024 * 1024 * 1024;

/** Formats made into sets. SVG is a vector image (scaling it is free); others are not photos. */
const PREPARED_FORMATS = new Set(['jpeg', 'png', 'webp', 'tiff', 'gif', 'heif']);

/**
 * A truncated or corrupt file must fail, not come out as a half-grey picture. 'truncated' fails
 * on truncation and decoder errors but lets through the harmless warnings many cameras' JPEGs
 * raise (sharp's default, 'warning', would refuse those).
 */
const FAIL_ON = 'truncated';

export const CMYK_NOTICE = 'converted from CMYK to sRGB for screens';
/** Said of a photo that records where it was taken: the engine adds what happens to the original (see imagePreparer.ts). */
export const GPS_NOTICE = 'the photo records where it was taken (a GPS position): the web images leave it out';
export const GPS_KEPT_NOTICE = 'the photo records where it was taken (a GPS position): the web images keep it, as your settings say';

const AS_IS = "To upload the file as it is, choose 'Upload as is' in the queue (quire resume --as-is ID).";

/** Reads the file once: size and mtime come from the same open descriptor as the bytes. */
export async function readSource(path: string, label: string): Promise<SourceBytes> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw readFailure(label, error);
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new QuireError('file_unreadable', `${printable(label)} is not a regular file; only files can be made into images.`);
    if (info.size > MAX_SOURCE_BYTES) {
      throw new QuireError('image_too_large', `${printable(label)} is ${(info.size / 2 ** 30).toFixed(1)} GiB, above the 1 GiB Quire prepares as an image. ${AS_IS}`);
    }
    const bytes = await handle.readFile();
    return { bytes, sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length, mtimeMs: info.mtimeMs };
  } catch (error) {
    throw error instanceof QuireError ? error : readFailure(label, error);
  } finally {
    await handle.close();
  }
}

function readFailure(label: string, error: unknown): QuireError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new QuireError('file_missing', `${printable(label)} is no longer there (moved, renamed or deleted since it was queued). Put it back, or remove it from the queue.`, { retryable: true });
  if (code === 'EACCES' || code === 'EPERM') return new QuireError('file_unreadable', `${printable(label)}: permission denied. Give Quire read access to it.`, { retryable: true });
  if (code === 'EISDIR') return new QuireError('file_unreadable', `${printable(label)} is a folder, not an image.`);
  return new QuireError('file_unreadable', `${printable(label)} could not be read (${(error as Error).message}).`, { retryable: true, cause: error });
}

/**
 * Makes the set of one image into `outDir` (which must exist): one file per planned variant,
 * named `<variant>.<ext>`, each written under a temporary name and renamed, so a file there is whole.
 *
 * The order matters:
 * 1. The header only (`metadata()`): the pixel count is checked before anything is decoded, so a
 *    20000x20000 "bomb" of a few kilobytes is refused without allocating its 1.2 GB.
 * 2. One decode, oriented (EXIF), converted to sRGB and reduced to the largest variant, kept raw in
 *    memory (a few MB). A JPEG shrinks on load (decoded at 1/2 to 1/8 scale); every smaller
 *    variant is then resized from that raw image instead of decoding the original again. Measured
 *    in CPU time on a camera-like 24 MP JPEG to the web set: 0.45 s native and 0.7-0.8 s wasm this
 *    way, against 0.65 s and 1.1 s decoding once per variant (0.70 s native with sharp's clone(),
 *    which decodes once per clone too).
 * 3. Each variant encoded in turn (one core per worker; the pool gives the parallelism).
 */
export async function prepareImage(sharp: Sharp, request: PrepareRequest, source: SourceBytes, outDir: string): Promise<PreparedSet> {
  const name = printable(request.label);
  const header = await readHeader(sharp, source.bytes, name);
  const format = header.format ?? 'unknown';
  if (!PREPARED_FORMATS.has(format)) {
    const what = format === 'svg' ? 'a vector image (SVG): it scales without loss and needs no resized copies' : `a ${format.toUpperCase()} image, which Quire does not make web images of`;
    throw new QuireError('image_unsupported', `${name} is ${what}. ${AS_IS}`);
  }
  if (format === 'heif' && header.compression === 'hevc') {
    throw new QuireError('image_unsupported', `${name} is a HEIC photo (HEVC), which Quire's image library cannot decode (a patent-encumbered codec). Export it as JPEG first, or upload it as it is: ${AS_IS}`);
  }
  const width = header.width ?? 0;
  const height = header.height ?? 0;
  if (width * height > request.maxPixels) {
    throw new QuireError(
      'image_too_large',
      `${name} is ${width} × ${height} pixels (${megapixels(width * height)} megapixels), above the ${megapixels(request.maxPixels)} megapixels Quire decodes: a picture that large is likely damaged or made to exhaust memory, and is refused before it is decoded. ${AS_IS}`,
    );
  }
  if ((header.pages ?? 1) > 1) {
    throw new QuireError('image_unsupported', `${name} has ${header.pages} frames (an animation or a multi-page file); Quire makes web images of still pictures only. ${AS_IS}`);
  }
  if (width < 1 || height < 1) throw new QuireError('image_invalid', `${name} says it has no pixels (${width} × ${height}): the file is damaged. ${AS_IS}`);

  // Displayed size: EXIF orientations 5-8 swap width and height.
  const shown = header.autoOrient ?? { width, height };
  const plan = planVariants(request.preset, shown.width, shown.height);
  const base = await decodeBase(sharp, request, source.bytes, baseVariant(plan), name);

  const outputs: PreparedOutput[] = [];
  const encoded = new Map<PreparedOutput, Buffer>();
  for (const variant of plan) {
    const data = await encodeVariant(sharp, base, variant, request, name);
    const file = `${variant.variant}.${extensionOfFormat(request.format)}`;
    const path = join(outDir, file);
    await writeWhole(path, data);
    const output: PreparedOutput = {
      variant: variant.variant,
      width: variant.width,
      height: variant.height,
      format: request.format,
      path,
      size: data.length,
      sha256: createHash('sha256').update(data).digest('hex'),
      contentType: contentTypeOfFormat(request.format),
    };
    outputs.push(output);
    encoded.set(output, data);
  }

  const smallest = outputs.reduce((a, b) => (b.width * b.height < a.width * a.height ? b : a));
  return {
    sourceSha256: source.sha256,
    sourceSize: source.size,
    sourceMtimeMs: source.mtimeMs,
    source: { width: shown.width, height: shown.height, format },
    dominantColor: await dominantColor(sharp, encoded.get(smallest)!),
    notices: [...(header.space === 'cmyk' ? [CMYK_NOTICE] : []), ...(carriesGps(header.exif) ? [request.keepMetadata ? GPS_KEPT_NOTICE : GPS_NOTICE] : [])],
    outputs,
    cacheHit: false,
  };
}

/**
 * Whether EXIF holds a GPS position: IFD0 points to a GPS IFD (tag 0x8825). Read from the TIFF
 * structure, not by searching bytes, so a camera's maker notes cannot fake or hide it.
 */
export function carriesGps(exif: Buffer | undefined): boolean {
  if (!exif || exif.length < 14) return false;
  // sharp hands EXIF with its "Exif\0\0" header; the TIFF structure follows.
  const tiff = exif.subarray(exif.subarray(0, 6).toString('latin1') === 'Exif\0\0' ? 6 : 0);
  const order = tiff.subarray(0, 2).toString('latin1');
  if (order !== 'II' && order !== 'MM') return false;
  const u16 = (at: number) => (order === 'II' ? tiff.readUInt16LE(at) : tiff.readUInt16BE(at));
  const u32 = (at: number) => (order === 'II' ? tiff.readUInt32LE(at) : tiff.readUInt32BE(at));
  try {
    const ifd0 = u32(4);
    const entries = u16(ifd0);
    for (let i = 0; i < entries; i += 1) if (u16(ifd0 + 2 + i * 12) === 0x8825) return true;
  } catch {
    return false; // a structure cut short: nothing can be said of it
  }
  return false;
}

async function readHeader(sharp: Sharp, bytes: Buffer, name: string) {
  try {
    // No pixel limit here: this reads the header only, and the limit is checked just after with
    // a message of our own (sharp's "exceeds pixel limit" would not say what to do).
    return await sharp(bytes, { limitInputPixels: false, failOn: FAIL_ON }).metadata();
  } catch (error) {
    const detail = sharpDetail(error);
    const what = /unsupported image format|empty/i.test(detail) ? 'is not an image Quire can read (JPEG, PNG, WebP, AVIF, TIFF or GIF)' : `could not be read as an image (${detail}): the file is damaged or not completely written`;
    throw new QuireError('image_invalid', `${name} ${what}. ${AS_IS}`, { cause: error });
  }
}

/** The decoded base: raw pixels, or (keeping metadata) an uncompressed PNG that carries the EXIF along. */
interface DecodedBase {
  input: Buffer;
  options: SharpOptions;
  width: number;
  height: number;
}

async function decodeBase(sharp: Sharp, request: PrepareRequest, bytes: Buffer, base: PlannedVariant, name: string): Promise<DecodedBase> {
  // limitInputPixels again, as a second fence should the header have lied about the size.
  let pipeline = sharp(bytes, { failOn: FAIL_ON, limitInputPixels: request.maxPixels })
    .autoOrient()
    .resize(base.width, base.height, base.crop ? { fit: 'cover', position: 'attention' } : { fit: 'fill' });
  try {
    if (request.keepMetadata) {
      // Raw pixels carry no metadata; an uncompressed PNG keeps the EXIF (orientation already
      // reset to 1 by autoOrient) and XMP for each variant to copy. Only when the author asked.
      pipeline = pipeline.keepExif().keepXmp().png({ compressionLevel: 0 });
      const { data, info } = await pipeline.toBuffer({ resolveWithObject: true });
      return { input: data, options: { failOn: FAIL_ON }, width: info.width, height: info.height };
    }
    // sRGB, 8 bits: CMYK, grey, 16-bit and profiled sources all come out in the one space browsers assume.
    const { data, info } = await pipeline.toColourspace('srgb').raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    return { input: data, options: { raw: { width: info.width, height: info.height, channels: info.channels } }, width: info.width, height: info.height };
  } catch (error) {
    const detail = sharpDetail(error);
    throw new QuireError('image_invalid', `${name} could not be decoded (${detail}): the file is damaged or not completely written. ${AS_IS}`, { cause: error });
  }
}

async function encodeVariant(sharp: Sharp, base: DecodedBase, variant: PlannedVariant, request: PrepareRequest, name: string): Promise<Buffer> {
  let pipeline = sharp(base.input, base.options);
  if (variant.width !== base.width || variant.height !== base.height) pipeline = pipeline.resize(variant.width, variant.height, { fit: 'fill' });
  if (request.keepMetadata) {
    // The pixels are sRGB now: say so with an sRGB profile rather than keep the source's (a CMYK
    // or Adobe RGB profile would misdescribe them). Never withMetadata(): it is all-or-nothing.
    pipeline = pipeline.keepExif().keepXmp().withIccProfile('srgb');
  }
  pipeline = formatted(pipeline, request.format, request.quality);
  try {
    return await pipeline.toBuffer();
  } catch (error) {
    throw new QuireError('image_invalid', `${name}: its ${variant.variant} image could not be made (${sharpDetail(error)}). ${AS_IS}`, { cause: error });
  }
}

function formatted(pipeline: SharpPipeline, format: ImageFormat, quality: number): SharpPipeline {
  switch (format) {
    case 'webp':
      return pipeline.webp({ quality });
    case 'avif':
      return pipeline.avif({ quality });
    case 'jpeg':
      // JPEG has no alpha: transparent parts go white (a page's usual background), not black.
      return pipeline.flatten({ background: '#ffffff' }).jpeg({ quality, progressive: true });
  }
}

/**
 * The colour most of the picture is, for a page's placeholder or theme: sharp's `stats().dominant`
 * (a 16x16x16 histogram) of the smallest output. sharp counts transparent pixels too, which made a
 * logo on a clear background "black"; with alpha, the same histogram is taken over the visible
 * pixels only.
 */
async function dominantColor(sharp: Sharp, smallest: Buffer): Promise<string> {
  const hex = (rgb: number[]) => `#${rgb.map((c) => c.toString(16).padStart(2, '0')).join('')}`;
  const image = sharp(smallest);
  if (!(await image.metadata()).hasAlpha) {
    const { dominant } = await image.stats();
    return hex([dominant.r, dominant.g, dominant.b]);
  }
  const { data } = await sharp(smallest).raw().toBuffer({ resolveWithObject: true });
  const counts = new Uint32Array(4096);
  for (let i = 0; i < data.length; i += 4) {
    if (data[i + 3]! >= 128) counts[((data[i]! >> 4) << 8) | ((data[i + 1]! >> 4) << 4) | (data[i + 2]! >> 4)]! += 1;
  }
  let best = 0;
  for (let bin = 1; bin < counts.length; bin += 1) if (counts[bin]! > counts[best]!) best = bin;
  if (counts[best] === 0) return '#ffffff'; // nothing visible: the page shows through
  // The bin's middle, as sharp reports it.
  return hex([best >> 8, (best >> 4) & 15, best & 15].map((level) => level * 16 + 8));
}

/** Written beside under a temporary name, then renamed: a reader never sees half a file. */
async function writeWhole(path: string, data: Buffer): Promise<void> {
  const partial = `${path}.partial`;
  try {
    await writeFile(partial, data);
    await rename(partial, path);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
}

function megapixels(pixels: number): string {
  const value = pixels / 1e6;
  return value >= 10 ? String(Math.round(value)) : value.toFixed(1);
}

/** libvips' own words, first line only ("VipsJpeg: premature end of JPEG image"). */
function sharpDetail(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return (message.split('\n')[0] ?? message).trim().slice(0, 200);
}
