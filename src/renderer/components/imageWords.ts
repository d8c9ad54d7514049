import { imagePresets, type ImageFormat, type ImagePresetName, type ImageSettings } from '../../shared/images';
import { printable } from '../../shared/printable';
import type { ImageSetSummary, UploadSummary } from '../../shared/upload';

/**
 * How image sets are said, in every view: a variant row is named after the author's own file and
 * its place in the set ("cover.jpg · 1024 px WebP"), never after the cache file it is sent from;
 * the author's row says what its set saved. One module, so the Queue, History, Upload, Settings
 * and Watch views word it the same way.
 */

/** The last part of a path, whichever separator it uses, made safe to show. */
export function fileNameOf(path: string): string {
  const parts = path.split(/[\\/]/).filter((part) => part !== '');
  return printable(parts[parts.length - 1] ?? path);
}

const formatWords: Record<ImageFormat, string> = { webp: 'WebP', avif: 'AVIF', jpeg: 'JPEG' };

export function formatName(format: ImageFormat): string {
  return formatWords[format];
}

/** A variant's format from its key's extension (a variant row carries no format of its own). */
function formatOfKey(key: string): string {
  const extension = key.slice(key.lastIndexOf('.') + 1).toLowerCase();
  if (extension === 'webp') return 'WebP';
  if (extension === 'avif') return 'AVIF';
  if (extension === 'jpg' || extension === 'jpeg') return 'JPEG';
  return extension.toUpperCase();
}

/** "1024 px WebP", "thumbnail", "original". */
export function variantLabel(variant: string, objectKey: string): string {
  if (variant === 'original') return 'original';
  if (variant === 'thumb') return 'thumbnail';
  return /^\d+$/.test(variant) ? `${variant} px ${formatOfKey(objectKey)}` : variant;
}

/**
 * The name an author reads for an upload: a member of an image set by the file it was made from
 * and its place in the set; any other upload by the last segment of its key.
 */
export function uploadName(upload: Pick<UploadSummary, 'objectKey' | 'image'>): string {
  if (upload.image) return `${fileNameOf(upload.image.origin)} · ${variantLabel(upload.image.variant, upload.objectKey)}`;
  const key = upload.objectKey;
  return printable(key.slice(key.lastIndexOf('/') + 1) || key);
}

/**
 * The file on the author's machine an upload reads, as it may be shown: a variant's own source
 * is a file in Quire's image cache, which means nothing to the author, so a set's member shows
 * the author's file it was made from.
 */
export function authorsFile(upload: Pick<UploadSummary, 'sourcePath' | 'image'>): string {
  return upload.image ? upload.image.origin : upload.sourcePath;
}

/**
 * An engine message about an upload, safe to show: the engine names the path it reads, which for
 * a set's variant is a file in Quire's image cache, meaningless to the author; it is named as the
 * author knows it instead ("cover.jpg · 480 px WebP"). Other messages are shown as they are.
 */
export function readableMessage(upload: Pick<UploadSummary, 'sourcePath' | 'objectKey' | 'image'>, message: string): string {
  if (!upload.image) return message;
  const name = uploadName(upload);
  return [upload.sourcePath, printable(upload.sourcePath)].reduce((text, path) => (path ? text.split(path).join(name) : text), message);
}

/** Objects the set puts in the bucket: its variants, and the original when it is kept. */
export function imagesInSet(set: ImageSetSummary): number {
  return set.variants + (set.originalKept ? 1 : 0);
}

/** How much smaller the variants are together than the author's file, in whole percent (negative: larger). */
export function savedPercent(set: ImageSetSummary): number | null {
  if (set.bytesBefore <= 0) return null;
  return Math.round((1 - set.bytesAfter / set.bytesBefore) * 100);
}

/** "web set: 6 images, 81% smaller" */
export function setSummaryText(set: ImageSetSummary): string {
  const count = imagesInSet(set);
  const images = `${count} ${count === 1 ? 'image' : 'images'}`;
  const saved = savedPercent(set);
  if (saved === null) return `web set: ${images}`;
  if (saved > 0) return `web set: ${images}, ${saved}% smaller`;
  if (saved === 0) return `web set: ${images}, about as large as the original`;
  // A small or already compressed image can make a set larger than itself, all sizes together.
  return `web set: ${images}, ${-saved}% larger in all`;
}

/** A colour from the ledger, used only when it is what it claims to be (it becomes a CSS value). */
export function swatchColor(color: string | null | undefined): string | null {
  return color && /^#[0-9a-f]{6}$/i.test(color) ? color : null;
}

/** Failures of the prepare stage that "Upload as is" answers: the file is sent unchanged instead. */
const asIsCodes = new Set(['image_invalid', 'image_too_large', 'image_unsupported']);

export function canUploadAsIs(upload: Pick<UploadSummary, 'status' | 'error'>): boolean {
  return upload.status === 'failed' && upload.error !== null && asIsCodes.has(upload.error.code);
}

// ---- what will be made (Upload, Settings, Watch) ------------------------------------------------

/** The drop's (or watch folder's) choice, as EnqueueInput.optimize takes it. */
export type ImagesChoice = 'settings' | 'always' | 'as-is';

export function optimizeOf(choice: ImagesChoice): boolean | undefined {
  return choice === 'always' ? true : choice === 'as-is' ? false : undefined;
}

export function choiceOf(optimize: boolean | null | undefined): ImagesChoice {
  return optimize === true ? 'always' : optimize === false ? 'as-is' : 'settings';
}

/** The destinations settings can give a web set, in the author's words. */
export const optimizableDestinations = [
  { value: 'cover', label: 'Covers' },
  { value: 'book-asset', label: 'Book images' },
  { value: 'avatar', label: 'Author photos' },
  { value: 'branding', label: 'Logos and banners' },
] as const satisfies readonly { value: ImageSettings['imageOptimize'][number]; label: string }[];

/** "covers, book images, author photos, logos and banners", or null for none. */
export function destinationsText(optimized: readonly string[]): string | null {
  const names = optimizableDestinations.filter((d) => optimized.includes(d.value)).map((d) => d.label.toLowerCase());
  if (names.length === 0) return null;
  return names.join(', ');
}

export function imagesChoiceOptions(settings: ImageSettings | null): { value: ImagesChoice; label: string }[] {
  const which = settings ? destinationsText(settings.imageOptimize) : destinationsText(optimizableDestinations.map((d) => d.value));
  return [
    { value: 'settings', label: which ? `As settings say (${which})` : 'As settings say (none for now)' },
    { value: 'always', label: 'Always make a web set' },
    { value: 'as-is', label: 'Upload images as they are' },
  ];
}

/**
 * What the prepare stage will make of a file, before it is queued:
 * "+ web set: WebP 480–1920 px wide and a thumbnail; camera data and GPS position removed".
 */
export function plannedSetText(preset: ImagePresetName, settings: ImageSettings | null): string {
  const shape = imagePresets[preset];
  const format = formatName(settings?.imageFormat ?? 'webp');
  const widths = shape.widths.length > 1 ? `${shape.widths[0]}–${shape.widths[shape.widths.length - 1]} px` : `${shape.widths[0] ?? ''} px`;
  const sizes = shape.square ? `square ${format} ${widths}` : `${format} ${widths} wide`;
  const metadata = settings?.imageKeepMetadata ? 'camera data and GPS position kept' : 'camera data and GPS position removed';
  const original = settings && !settings.imageKeepOriginal ? '; the original itself is not uploaded' : '';
  return `+ web set: ${sizes} and a thumbnail; ${metadata}${original}`;
}
