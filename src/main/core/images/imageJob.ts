import type { ImageFormat, ImagePreset, ImageVariant } from '../../../shared/images';

/**
 * One image to prepare, as the engine hands it to the image pool: everything the worker needs,
 * nothing it must look up. Plain data, so it crosses to the worker process as it is.
 */
export interface PrepareRequest {
  /** The file read (for a followed link or a staged drop, the real file). */
  sourcePath: string;
  /** The file as the author named it: every message names this. */
  label: string;
  preset: ImagePreset;
  format: ImageFormat;
  quality: number;
  /** Keep EXIF (GPS, camera) and the ICC profile; off by default. */
  keepMetadata: boolean;
  /** Refused from the header, before any decoding, above this many pixels. */
  maxPixels: number;
}

/** A variant written to the cache: the file an upload then reads, with its own size and SHA-256. */
export interface PreparedOutput extends ImageVariant {
  path: string;
  size: number;
  sha256: string;
  contentType: string;
}

export interface PreparedSet {
  /** The source as it was read for this set (hashed from the same bytes that were decoded). */
  sourceSha256: string;
  sourceSize: number;
  sourceMtimeMs: number;
  /** Its size as displayed (after EXIF orientation) and its format as detected, not as named. */
  source: { width: number; height: number; format: string };
  /** "#rrggbb", for a page's placeholder or theme. */
  dominantColor: string;
  /** What the author should know that is not a failure ("converted from CMYK to sRGB"). */
  notices: string[];
  outputs: PreparedOutput[];
  /** Taken from the cache: nothing was encoded. */
  cacheHit: boolean;
}

/** Counters the pool keeps for tests and the bench: an unchanged image is never encoded twice. */
export interface ImagePoolStats {
  encoded: number;
  cacheHits: number;
  failed: number;
  /** Worker processes that died mid-image (a decoder crash): that image failed, the pool went on. */
  crashes: number;
}
