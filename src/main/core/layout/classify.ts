import { basename, extname } from 'node:path';
import type { Category } from '../../../shared/layout';

const MANUSCRIPT = new Set(['pdf', 'epub', 'docx', 'doc', 'odt', 'rtf', 'txt', 'md']);
const AUDIO = new Set(['mp3', 'wav', 'm4a', 'm4b', 'flac', 'ogg', 'opus', 'aac']);
const IMAGE = new Set(['jpg', 'jpeg', 'png', 'webp', 'gif', 'tif', 'tiff', 'avif', 'heic', 'svg']);
const VIDEO = new Set(['mp4', 'webm', 'mov', 'm4v', 'mkv']);

const CONTENT_TYPES: Record<string, string> = {
  pdf: 'application/pdf',
  epub: 'application/epub+zip',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  doc: 'application/msword',
  odt: 'application/vnd.oasis.opendocument.text',
  rtf: 'application/rtf',
  txt: 'text/plain; charset=utf-8',
  md: 'text/markdown; charset=utf-8',
  mp3: 'audio/mpeg',
  wav: 'audio/wav',
  m4a: 'audio/mp4',
  m4b: 'audio/mp4',
  flac: 'audio/flac',
  ogg: 'audio/ogg',
  opus: 'audio/opus',
  aac: 'audio/aac',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
  tif: 'image/tiff',
  tiff: 'image/tiff',
  avif: 'image/avif',
  heic: 'image/heic',
  svg: 'image/svg+xml',
  mp4: 'video/mp4',
  webm: 'video/webm',
  mov: 'video/quicktime',
  m4v: 'video/x-m4v',
  mkv: 'video/x-matroska',
};

export function extensionOf(path: string): string {
  return extname(path).slice(1).toLowerCase();
}

export function contentTypeFor(path: string): string {
  return CONTENT_TYPES[extensionOf(path)] ?? 'application/octet-stream';
}

/**
 * Where a file belongs when the author did not say. Images and audio are told apart by name, the
 * way authors name them ("cover-final.jpg", "headshot.png", "logo.svg", "sample.mp3",
 * "full-book.wav"); an unnamed image is a book asset and unnamed audio a chapter, the least
 * surprising places. `--type` overrides all of this.
 */
export function classify(path: string): Category {
  const ext = extensionOf(path);
  const name = basename(path).toLowerCase();
  if (MANUSCRIPT.has(ext)) return 'manuscript';
  if (AUDIO.has(ext)) {
    // A chapter says so, first ("Chapter 9 - The Trailer Park"); a sample or trailer is named so;
    // a whole audiobook is an .m4b (the audiobook container) or named as the whole. Whole words
    // only ("Hopefully.mp3" is no full book). Anything else is a chapter, the common case.
    const words = name.slice(0, name.length - ext.length - 1).replace(/[^a-z0-9]+/g, ' ');
    if (/\b(chapter|ch ?\d+|part ?\d+|track ?\d+)\b/.test(words)) return 'audio';
    if (/\b(samples?|preview|excerpt|teaser|trailer)\b/.test(words)) return 'audio-sample';
    if (ext === 'm4b' || /\b(full|complete|unabridged|entire|whole)\b/.test(words)) return 'audio-full';
    return 'audio';
  }
  if (VIDEO.has(ext)) return 'video';
  if (IMAGE.has(ext)) {
    if (/cover/.test(name)) return 'cover';
    if (/(avatar|headshot|portrait|author[-_ ]?photo)/.test(name)) return 'avatar';
    if (/(logo|banner|brand)/.test(name)) return 'branding';
    return 'book-asset';
  }
  return 'other';
}
