import type { ImagePreset } from '../../../shared/images';

/** One output to make, before any pixel is touched: its name in the set and its exact size. */
export interface PlannedVariant {
  /** The width slot it serves ("480" ... "1920") or "thumb". */
  variant: string;
  width: number;
  height: number;
  /** A square crop of the source (avatars) rather than the whole picture scaled. */
  crop: boolean;
}

/**
 * What a preset makes of a source whose displayed size (after EXIF orientation) is
 * `width` x `height`: the responsive set, ascending, then the thumbnail.
 *
 * Rules, and why:
 * - Never upscaled: a bigger file of the same pixels only costs the reader bandwidth.
 * - A slot whose width would not be larger than the previous one made is dropped, so a
 *   1000 px source makes 480, 768 and "1024" (at 1000 wide) but no "1920" copy of the same pixels.
 *   A source narrower than the smallest slot still makes that one slot, at its own size: the
 *   platform always finds at least one variant.
 * - Heights follow the source's aspect; with a box, each variant fits inside it (a tall photo in
 *   the web box is 1080 high at most, whatever its width slot).
 * - Square presets crop: w x w, never wider than the source's shorter side or the box.
 * - The thumbnail always exists (a predictable name for the platform), inside thumbnail x thumbnail.
 */
export function planVariants(preset: ImagePreset, width: number, height: number): PlannedVariant[] {
  if (!(width >= 1 && height >= 1)) throw new RangeError(`a source of ${width}x${height} has no pixels to plan from`);
  const planned: PlannedVariant[] = [];
  if (preset.square) {
    const side = Math.min(width, height, preset.box ? Math.min(preset.box.width, preset.box.height) : Infinity);
    let previous = 0;
    for (const slot of preset.widths) {
      const actual = Math.min(slot, side);
      if (actual <= previous) continue;
      planned.push({ variant: String(slot), width: actual, height: actual, crop: true });
      previous = actual;
    }
    const thumb = Math.min(preset.thumbnail, side);
    planned.push({ variant: 'thumb', width: thumb, height: thumb, crop: true });
    return planned;
  }

  // The widest a variant may be and still fit the box: floored, so its rounded height never
  // exceeds the box's height.
  const boxWidth = preset.box ? Math.min(preset.box.width, Math.floor((preset.box.height * width) / height)) : Infinity;
  // Clamped to the box too: only a source under a pixel wide at the box's height (1 x 9000) needs it.
  const heightFor = (w: number) => Math.min(preset.box?.height ?? Infinity, Math.max(1, Math.round((w * height) / width)));
  let previous = 0;
  for (const slot of preset.widths) {
    const actual = Math.max(1, Math.min(slot, width, boxWidth));
    if (actual <= previous) continue;
    planned.push({ variant: String(slot), width: actual, height: heightFor(actual), crop: false });
    previous = actual;
  }
  planned.push({ variant: 'thumb', ...fitInside(width, height, preset.thumbnail), crop: false });
  return planned;
}

/** `width` x `height` scaled to fit inside a `side` x `side` square, never enlarged. */
function fitInside(width: number, height: number, side: number): { width: number; height: number } {
  if (width <= side && height <= side) return { width, height };
  return width >= height
    ? { width: side, height: Math.max(1, Math.round((side * height) / width)) }
    : { width: Math.max(1, Math.round((side * width) / height)), height: side };
}

/**
 * The variant every other one is resized from: decoded once at this size, the JPEG decoder can
 * shrink on load and each smaller output is a cheap resize of a small raw image rather than a
 * second decode of the original. It is the largest planned variant (all have the source's aspect,
 * or are all squares), so every other output is a reduction of it.
 */
export function baseVariant(planned: readonly PlannedVariant[]): PlannedVariant {
  let base = planned[0];
  if (!base) throw new RangeError('an empty plan has no base variant');
  for (const variant of planned) if (variant.width * variant.height > base.width * base.height) base = variant;
  return base;
}
