import { randomUUID } from 'node:crypto';
import { categories, type Category } from '../../../shared/layout';
import { BIDI_CONTROL, CONTROL_CHARACTER, escapeCharacter, printable } from '../../../shared/printable';
import { QuireError } from '../errors';
import { extensionOf } from './classify';

/** S3 keys are at most 1,024 bytes of UTF-8. */
const MAX_KEY_BYTES = 1024;

export interface KeyRequest {
  /** The path below the folder the author dropped, with `/` separators ("Book/ch1.mp3"), or a file name. */
  relativePath: string;
  category: Category;
  /** An explicit destination prefix overrides the category's. */
  destinationPrefix?: string;
  /** "{prefix}/{yyyy}/{mm}/{uuid}.{ext}" names files as the platform's own upload API does. */
  template?: 'keep-name' | 'dated-uuid';
  now?: Date;
}

/**
 * Builds the object key and refuses names that would escape the prefix or confuse other tools.
 * `fileLabel` names the file in the message so the author knows which one to rename.
 */
export function buildObjectKey(request: KeyRequest, fileLabel: string): string {
  const prefix = normalizePrefix(request.destinationPrefix ?? categories[request.category], fileLabel);
  let key: string;
  if (request.template === 'dated-uuid') {
    const now = request.now ?? new Date();
    const ext = extensionOf(request.relativePath);
    key = `${prefix}${now.getUTCFullYear()}/${String(now.getUTCMonth() + 1).padStart(2, '0')}/${randomUUID()}${ext ? `.${ext}` : ''}`;
  } else {
    key = prefix + validateRelativePath(request.relativePath, fileLabel);
  }
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) {
    refuse(fileLabel, `the object name would be ${Buffer.byteLength(key, 'utf8')} bytes, over S3's limit of 1,024. Shorten the file or folder names.`);
  }
  return key;
}

function normalizePrefix(prefix: string, fileLabel: string): string {
  const trimmed = prefix.normalize('NFC').replace(/^\/+/, '');
  if (trimmed === '') return '';
  const withSlash = trimmed.endsWith('/') ? trimmed : `${trimmed}/`;
  validateRelativePath(withSlash.slice(0, -1), `${fileLabel} (destination "${prefix}")`);
  return withSlash;
}

/**
 * Names are stored NFC-normalized: macOS writes file names decomposed (NFD), and the same
 * "Café.epub" dropped from two systems must land on one key, not two that look identical.
 */
function validateRelativePath(relativePath: string, fileLabel: string): string {
  const normalized = relativePath.normalize('NFC');
  const control = CONTROL_CHARACTER.exec(normalized);
  if (control) {
    refuse(fileLabel, `the name contains a control character (${escapeCharacter(control[0])}); line breaks, tabs and terminal escapes cannot be part of an object name. Rename the file and add it again.`);
  }
  const bidi = BIDI_CONTROL.exec(normalized);
  if (bidi) {
    refuse(
      fileLabel,
      `the name contains an invisible text-direction character (${escapeCharacter(bidi[0])}), which can make a name display differently from what it is ("invoice\\u202egpj.exe" shows as "invoiceexe.jpg"). Rename the file without it and add it again.`,
    );
  }
  if (normalized.startsWith('/') || /^[a-zA-Z]:[\\/]/.test(normalized)) {
    refuse(fileLabel, 'an absolute path cannot be an object name. Give a name relative to the destination.');
  }
  // Folder separators reach this point as "/" on every system; a backslash left over is part of
  // a Linux or macOS file name. Windows would read it as a separator and S3 consoles show it
  // confusingly, so it is refused rather than silently turned into a folder.
  if (normalized.includes('\\')) {
    refuse(fileLabel, 'the name contains a backslash (\\), which Windows reads as a folder separator and S3 consoles show confusingly. Rename it (use / between folders) and add it again.');
  }
  const segments = normalized.split('/');
  if (segments.some((segment) => segment === '..' || segment === '.')) {
    refuse(fileLabel, '"." and ".." are not allowed in object names; they could place the file outside its folder. Rename it.');
  }
  if (segments.some((segment) => segment === '')) {
    refuse(fileLabel, 'the name has an empty folder ("//"). Rename it.');
  }
  return normalized;
}

/** The label may itself hold the characters being refused: it is printed escaped. */
function refuse(fileLabel: string, reason: string): never {
  throw new QuireError('invalid_name', `${printable(fileLabel)}: ${reason}`);
}

/** "cover.jpg" -> "cover (2).jpg": how a second, different file is kept beside the first. */
export function suffixedKey(key: string, n: number): string {
  const slash = key.lastIndexOf('/');
  const dot = key.lastIndexOf('.');
  if (dot > slash + 1) return `${key.slice(0, dot)} (${n})${key.slice(dot)}`;
  return `${key} (${n})`;
}
