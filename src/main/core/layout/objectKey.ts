import { randomUUID } from 'node:crypto';
import { categories, type Category } from '../../../shared/layout';
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
    throw new QuireError('invalid_name', `${fileLabel}: the object name would be ${Buffer.byteLength(key, 'utf8')} bytes, over S3's limit of 1,024. Shorten the file or folder names.`);
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
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(normalized)) {
    throw new QuireError('invalid_name', `${fileLabel}: the name contains control characters (such as a line break or tab). Rename the file and add it again.`);
  }
  if (normalized.startsWith('/') || /^[a-zA-Z]:[\\/]/.test(normalized)) {
    throw new QuireError('invalid_name', `${fileLabel}: an absolute path cannot be an object name. Give a name relative to the destination.`);
  }
  const segments = normalized.split(/[\\/]/);
  if (segments.some((segment) => segment === '..' || segment === '.')) {
    throw new QuireError('invalid_name', `${fileLabel}: "." and ".." are not allowed in object names; they could place the file outside its folder. Rename it.`);
  }
  if (segments.some((segment) => segment === '')) {
    throw new QuireError('invalid_name', `${fileLabel}: the name has an empty folder ("//"). Rename it.`);
  }
  return segments.join('/');
}

/** "cover.jpg" -> "cover (2).jpg": how a second, different file is kept beside the first. */
export function suffixedKey(key: string, n: number): string {
  const slash = key.lastIndexOf('/');
  const dot = key.lastIndexOf('.');
  if (dot > slash + 1) return `${key.slice(0, dot)} (${n})${key.slice(dot)}`;
  return `${key} (${n})`;
}
