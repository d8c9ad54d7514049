import { z } from 'zod';
import type { Category } from './layout';

/**
 * The prepare stage's image sets (issue 13): what Quire makes of a cover, a photo or a logo
 * before it uploads, on the author's machine. The values follow the platform specs'
 * ImageOptimizationService (fit within 1920x1080, WebP at quality 85, widths 480/768/1024/1920,
 * a 200 px thumbnail). Shared so the UI can say what will be made before anything is.
 */

export const imageFormats = ['webp', 'avif', 'jpeg'] as const;
export type ImageFormat = (typeof imageFormats)[number];

export const imagePresetNames = ['web', 'print-cover', 'avatar'] as const;
export type ImagePresetName = (typeof imagePresetNames)[number];

export interface ImagePreset {
  name: ImagePresetName;
  /** What the author reads in settings. */
  label: string;
  /** Every variant fits inside this box (never upscaled); null: only the slot width limits it. */
  box: { width: number; height: number } | null;
  /** Cropped to a square around the most interesting part (avatars). */
  square: boolean;
  /** The responsive set's width slots, ascending. */
  widths: readonly number[];
  /** The thumbnail fits inside this square (is this square, for a square preset). */
  thumbnail: number;
}

export const imagePresets: Readonly<Record<ImagePresetName, ImagePreset>> = {
  web: { name: 'web', label: 'Web image: fits within 1920×1080', box: { width: 1920, height: 1080 }, square: false, widths: [480, 768, 1024, 1920], thumbnail: 200 },
  // A print cover's own file is the print master (kept as is); its web set is by width only, so
  // a tall cover is 1920 wide in the largest size rather than squeezed into a landscape box.
  'print-cover': { name: 'print-cover', label: 'Book cover: full height, by width', box: null, square: false, widths: [480, 768, 1024, 1920], thumbnail: 200 },
  avatar: { name: 'avatar', label: 'Avatar: square', box: { width: 1024, height: 1024 }, square: true, widths: [480, 768, 1024], thumbnail: 200 },
};

/** Which preset a destination gets; categories not listed are optimized only when asked, as web images. */
export const presetForCategory: Partial<Record<Category, ImagePresetName>> = {
  cover: 'print-cover',
  'book-asset': 'web',
  avatar: 'avatar',
  branding: 'web',
};

/** Files the prepare stage can read (sharp's prebuilt formats; SVG logos and HEIC are uploaded as they are). */
export const optimizableExtensions: ReadonlySet<string> = new Set(['jpg', 'jpeg', 'png', 'webp', 'tif', 'tiff', 'avif', 'gif']);

/**
 * The preset an image gets, or null when it is uploaded as it is: `optimize` is the upload's own
 * choice (--optimize / --no-optimize), otherwise the author's settings decide by destination.
 */
export function presetFor(extension: string, category: Category, optimize: boolean | undefined, optimizedCategories: readonly string[]): ImagePresetName | null {
  if (!optimizableExtensions.has(extension) || optimize === false) return null;
  if (optimize === undefined && !optimizedCategories.includes(category)) return null;
  return presetForCategory[category] ?? 'web';
}

/** Images larger than this (width x height, read from the header before decoding) are refused: decompression bombs. */
export const MAX_IMAGE_PIXELS = 150_000_000;

export const imageSettingsSchema = z.object({
  /** Destinations whose images are optimized unless an upload says otherwise. */
  imageOptimize: z.array(z.enum(['cover', 'book-asset', 'avatar', 'branding'])).max(4),
  imageFormat: z.enum(imageFormats),
  /** WebP/AVIF/JPEG quality, 1 to 100; the specs' value is 85. */
  imageQuality: z.number().int().min(1, 'quality is at least 1').max(100, 'quality is at most 100'),
  /** Upload the author's own file too, beside its set. */
  imageKeepOriginal: z.boolean(),
  /** Keep EXIF (camera, GPS position) and the ICC profile in the variants; off: they never leave the machine. */
  imageKeepMetadata: z.boolean(),
});
export type ImageSettings = z.infer<typeof imageSettingsSchema>;

export const defaultImageSettings: ImageSettings = {
  imageOptimize: ['cover', 'book-asset', 'avatar', 'branding'],
  imageFormat: 'webp',
  imageQuality: 85,
  imageKeepOriginal: true,
  imageKeepMetadata: false,
};

/**
 * One output of a set. Named beside the original: "cover.jpg" makes "cover-480.webp" ... "cover-1920.webp"
 * and "cover-thumb.webp". The number is the width slot the variant serves (predictable names for
 * the platform); its real width and height are in the object's metadata and here.
 */
export interface ImageVariant {
  /** "480", "768", "1024", "1920" or "thumb". */
  variant: string;
  width: number;
  height: number;
  format: ImageFormat;
}

/** Variant object keys: `books/covers/cover.jpg` -> `books/covers/cover-480.webp`. */
export function variantKey(originalKey: string, variant: string, format: ImageFormat): string {
  const slash = originalKey.lastIndexOf('/');
  const dot = originalKey.lastIndexOf('.');
  const stem = dot > slash + 1 ? originalKey.slice(0, dot) : originalKey;
  return `${stem}-${variant}.${extensionOfFormat(format)}`;
}

export function extensionOfFormat(format: ImageFormat): string {
  return format === 'jpeg' ? 'jpg' : format;
}

export function contentTypeOfFormat(format: ImageFormat): string {
  return `image/${format}`;
}

/** `images.preview`: what would be made of one file, and how large. */
export const imagePreviewInputSchema = z.object({
  path: z.string().min(1).max(4096),
  /** A preset other than the one its destination gets. */
  preset: z.enum(imagePresetNames).optional(),
  type: z.enum(['cover', 'book-asset', 'avatar', 'branding', 'other']).optional(),
});
export type ImagePreviewInput = z.input<typeof imagePreviewInputSchema>;

export interface ImagePreview {
  path: string;
  preset: ImagePresetName;
  source: { width: number; height: number; size: number; format: string };
  /** Each variant as made (from the cache when it was made before), with its size in bytes. */
  variants: (ImageVariant & { size: number; objectKeySuffix: string })[];
  dominantColor: string;
  /** Things the author should know ("converted from CMYK to sRGB"). */
  notices: string[];
  fromCache: boolean;
}
