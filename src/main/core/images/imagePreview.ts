import { resolve } from 'node:path';
import { imagePresets, imagePreviewInputSchema, MAX_IMAGE_PIXELS, optimizableExtensions, presetForCategory, variantKey, type ImagePresetName, type ImagePreview, type ImagePreviewInput } from '../../../shared/images';
import type { Category } from '../../../shared/layout';
import { printable } from '../../../shared/printable';
import type { Settings } from '../../../shared/settings';
import { QuireError } from '../errors';
import { classify, extensionOf } from '../layout/classify';
import type { PreparedSet, PrepareRequest } from './imageJob';

/** One image as the author's settings say to prepare it: the one place a request is made from settings. */
export function prepareRequestFor(path: string, preset: ImagePresetName, settings: Settings, label = path): PrepareRequest {
  return {
    sourcePath: path,
    label,
    preset: imagePresets[preset],
    format: settings.imageFormat,
    quality: settings.imageQuality,
    keepMetadata: settings.imageKeepMetadata,
    maxPixels: MAX_IMAGE_PIXELS,
  };
}

/**
 * `images.preview`: what the prepare stage makes of one file with the author's settings, and how
 * large each variant is. The work is really done (into the cache), so an upload that follows
 * encodes nothing.
 */
export async function previewImage(input: ImagePreviewInput, settings: Settings, prepare: (request: PrepareRequest) => Promise<PreparedSet>): Promise<ImagePreview> {
  const request = imagePreviewInputSchema.parse(input);
  const path = resolve(request.path);
  if (!optimizableExtensions.has(extensionOf(path))) {
    throw new QuireError('image_unsupported', `${printable(path)} is not an image Quire prepares (JPEG, PNG, WebP, TIFF, AVIF or GIF); it is uploaded as it is.`);
  }
  const preset = request.preset ?? presetForCategory[(request.type ?? classify(path)) as Category] ?? 'web';
  const set = await prepare(prepareRequestFor(path, preset, settings));
  return {
    path,
    preset,
    source: { ...set.source, size: set.sourceSize },
    variants: set.outputs.map((output) => ({ variant: output.variant, width: output.width, height: output.height, format: output.format, size: output.size, objectKeySuffix: variantKey('', output.variant, output.format) })),
    dominantColor: set.dominantColor,
    notices: set.notices,
    fromCache: set.cacheHit,
  };
}
