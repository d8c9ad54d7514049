import { imageSettingsSchema, type ImageFormat, type ImageSettings } from '../../../shared/images';
import { destinationsText, formatName } from '../../components/imageWords';

/**
 * The Images part of the settings form: which destinations get a web set, its format and
 * quality, whether the original goes too, whether camera data stays. Checked by the contract's
 * schema; only what differs from what the page was shown is sent, as for the other settings.
 */

export interface ImageFormValues {
  optimize: ImageSettings['imageOptimize'];
  format: ImageFormat;
  /** As typed. */
  quality: string;
  keepOriginal: boolean;
  keepMetadata: boolean;
}

export function imageValuesOf(settings: ImageSettings): ImageFormValues {
  return {
    optimize: [...settings.imageOptimize],
    format: settings.imageFormat,
    quality: String(settings.imageQuality),
    keepOriginal: settings.imageKeepOriginal,
    keepMetadata: settings.imageKeepMetadata,
  };
}

const quality = imageSettingsSchema.shape.imageQuality;
const qualityRange = { min: quality.minValue ?? 1, max: quality.maxValue ?? 100 };

function parseWhole(text: string): number {
  const normalized = text.trim();
  return normalized === '' ? Number.NaN : Number(normalized);
}

/** The update to send (possibly empty), or the quality's problem: the only field an author can type wrong. */
export function validateImageSettings(values: ImageFormValues, saved: ImageSettings): { update: Partial<ImageSettings> } | { qualityError: string } {
  const typed = parseWhole(values.quality);
  const parsed = quality.safeParse(typed);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    // The schema words its range ("quality is at most 100"); text or a fraction gets what to type.
    const outOfRange = issue?.code === 'too_small' || issue?.code === 'too_big';
    return { qualityError: outOfRange && issue ? issue.message : `give the quality as a whole number from ${qualityRange.min} to ${qualityRange.max}, such as 85` };
  }
  const update: Partial<ImageSettings> = {};
  const sameDestinations = values.optimize.length === saved.imageOptimize.length && values.optimize.every((d) => saved.imageOptimize.includes(d));
  if (!sameDestinations) update.imageOptimize = [...values.optimize];
  if (values.format !== saved.imageFormat) update.imageFormat = values.format;
  if (parsed.data !== saved.imageQuality) update.imageQuality = parsed.data;
  if (values.keepOriginal !== saved.imageKeepOriginal) update.imageKeepOriginal = values.keepOriginal;
  if (values.keepMetadata !== saved.imageKeepMetadata) update.imageKeepMetadata = values.keepMetadata;
  return { update };
}

/** "Web sets for covers and book images · WebP at quality 85 · the original too · no camera data or GPS": what "In force now" says. */
export function describeImageSettings(settings: ImageSettings): string {
  const which = destinationsText(settings.imageOptimize);
  if (!which) return 'No web sets unless an upload asks for one';
  return [
    `Web sets for ${which}`,
    `${formatName(settings.imageFormat)} at quality ${settings.imageQuality}`,
    settings.imageKeepOriginal ? 'the original uploaded too' : 'the original not uploaded',
    settings.imageKeepMetadata ? 'camera data and GPS position kept' : 'no camera data or GPS position',
  ].join(' · ');
}
