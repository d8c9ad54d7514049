import { imageFormats, presetForCategory, type ImageFormat, type ImagePreview } from '../../shared/images';
import { formatBytes } from '../../shared/format';
import { printable } from '../../shared/printable';
import type { SettingsUpdate } from '../../shared/settings';
import { QuireError } from '../core/errors';

/** The CLI's image flags, as parseArgs gives them. */
export interface ImageFlags {
  optimize?: boolean;
  'no-optimize'?: boolean;
  'image-format'?: string;
  'image-quality'?: string;
  'keep-original'?: boolean;
  'no-keep-original'?: boolean;
  'keep-metadata'?: boolean;
  'no-keep-metadata'?: boolean;
  'optimize-types'?: string;
}

export const IMAGE_OPTIONS = {
  optimize: { type: 'boolean' },
  'no-optimize': { type: 'boolean' },
  'image-format': { type: 'string' },
  'image-quality': { type: 'string' },
  'keep-original': { type: 'boolean' },
  'no-keep-original': { type: 'boolean' },
  'keep-metadata': { type: 'boolean' },
  'no-keep-metadata': { type: 'boolean' },
  'optimize-types': { type: 'string' },
  preset: { type: 'string' },
} as const;

/** `--optimize` / `--no-optimize` on upload and watch add; neither: settings decide by destination. */
export function optimizeFlag(flags: ImageFlags): boolean | undefined {
  if (flags.optimize && flags['no-optimize']) throw new QuireError('usage', 'Give --optimize or --no-optimize, not both.');
  if (flags.optimize) return true;
  if (flags['no-optimize']) return false;
  return undefined;
}

/** The image settings `quire settings` saves (the contract validates the values). */
export function imageSettingsUpdate(flags: ImageFlags): Partial<SettingsUpdate> {
  const update: Partial<SettingsUpdate> = {};
  if (flags['image-format'] !== undefined) update.imageFormat = flags['image-format'] as ImageFormat;
  if (flags['image-quality'] !== undefined) update.imageQuality = Number(flags['image-quality']);
  const keepOriginal = both(flags['keep-original'], flags['no-keep-original'], 'keep-original');
  if (keepOriginal !== undefined) update.imageKeepOriginal = keepOriginal;
  const keepMetadata = both(flags['keep-metadata'], flags['no-keep-metadata'], 'keep-metadata');
  if (keepMetadata !== undefined) update.imageKeepMetadata = keepMetadata;
  if (flags['optimize-types'] !== undefined) {
    const types = flags['optimize-types'] === 'none' ? [] : flags['optimize-types'].split(',').map((type) => type.trim()).filter(Boolean);
    update.imageOptimize = types as SettingsUpdate['imageOptimize'];
  }
  return update;
}

function both(on: boolean | undefined, off: boolean | undefined, name: string): boolean | undefined {
  if (on && off) throw new QuireError('usage', `Give --${name} or --no-${name}, not both.`);
  return on ? true : off ? false : undefined;
}

export const IMAGE_SETTINGS_USAGE = `[--optimize-types cover,book-asset,avatar,branding|none]
                 [--image-format ${imageFormats.join('|')}] [--image-quality 85]
                 [--keep-original|--no-keep-original] [--keep-metadata|--no-keep-metadata]`;

/** `quire images preview FILE`: what would be made, and how much it saves. */
export function printImagePreview(preview: ImagePreview): void {
  const { source } = preview;
  process.stdout.write(`${printable(preview.path)}: ${source.width}x${source.height} ${source.format}, ${formatBytes(source.size)}; preset ${preview.preset}${preview.fromCache ? ' (made before: from the cache)' : ''}\n`);
  for (const variant of preview.variants) {
    process.stdout.write(`${formatBytes(variant.size).padStart(10)}  ${String(variant.width).padStart(5)}x${String(variant.height).padEnd(5)}  *${printable(variant.objectKeySuffix)}\n`);
  }
  const after = preview.variants.reduce((sum, variant) => sum + variant.size, 0);
  const saved = source.size > 0 ? Math.round((1 - after / source.size) * 100) : 0;
  process.stdout.write(`${preview.variants.length} variant(s), ${formatBytes(after)} together (${saved >= 0 ? `${saved}% smaller than` : `${-saved}% larger than`} the original); dominant colour ${preview.dominantColor}\n`);
  for (const notice of preview.notices) process.stdout.write(`note: ${printable(notice)}\n`);
}

/** What `quire settings` prints about images. */
export function imageSettingsLines(settings: { imageOptimize: readonly string[]; imageFormat: string; imageQuality: number; imageKeepOriginal: boolean; imageKeepMetadata: boolean }): string {
  const types = settings.imageOptimize.length > 0 ? settings.imageOptimize.map((type) => `${type} (${presetForCategory[type as keyof typeof presetForCategory] ?? 'web'})`).join(', ') : 'none (only with --optimize)';
  return [
    `images optimized     ${types}`,
    `image format         ${settings.imageFormat}, quality ${settings.imageQuality}`,
    `original image       ${settings.imageKeepOriginal ? 'uploaded too' : 'not uploaded (only its set)'}`,
    `camera data and GPS  ${settings.imageKeepMetadata ? 'kept in the variants' : 'removed from the variants'}`,
  ].join('\n');
}
