import { errorCodes, type ErrorCode } from '../../../shared/errors';
import type { ImageSetSummary, UploadSummary } from '../../../shared/upload';
import type { ImageSetRow, UploadRow } from '../ledger/schema';

/**
 * An upload as hosts show it. `set` is the image set made of the row's file, for the row of the
 * author's own file (the one whose id is the set's): see `summarize` in the repository.
 */
export function toUploadSummary(row: UploadRow, set: ImageSetRow | null = null): UploadSummary {
  const code = (errorCodes as readonly string[]).includes(row.errorCode ?? '') ? (row.errorCode as ErrorCode) : 'internal';
  return {
    id: row.id,
    connectionId: row.connectionId,
    sourcePath: row.sourcePath,
    objectKey: row.objectKey,
    category: row.category,
    size: row.size,
    bytesDone: row.bytesDone,
    status: row.status,
    method: row.method,
    visibility: row.visibility,
    sha256: row.sha256,
    etag: row.etag,
    attempts: row.attempts,
    retryAfter: row.retryAfter,
    error: row.errorMessage ? { code, message: namedAsTheAuthorKnowsIt(row, row.errorMessage), retryable: row.errorRetryable ?? false } : null,
    createdAt: row.createdAt,
    verifiedAt: row.verifiedAt,
    notice: row.notice,
    optimize: row.optimize,
    image: row.imageSetId && row.variant ? { setId: row.imageSetId, variant: row.variant, origin: row.originPath ?? row.sourcePath } : null,
    imageSet: set ? toImageSetSummary(set) : null,
  };
}

/**
 * A web size sends a file in Quire's image cache; messages about it (written where any upload's
 * are, naming the file read) name the author's image and the size instead.
 */
function namedAsTheAuthorKnowsIt(row: UploadRow, message: string): string {
  if (!row.originPath || !row.variant || row.variant === 'original') return message;
  const size = row.variant === 'thumb' ? 'thumbnail' : `${row.variant} px size`;
  return message.split(row.sourcePath).join(`${row.originPath} (its ${size})`);
}

function toImageSetSummary(set: ImageSetRow): ImageSetSummary {
  let notices: string[] = [];
  try {
    const parsed: unknown = JSON.parse(set.notices);
    if (Array.isArray(parsed)) notices = parsed.filter((notice): notice is string => typeof notice === 'string');
  } catch {
    // Unreadable notices are not worth failing a summary for.
  }
  return {
    preset: set.preset,
    format: set.format,
    width: set.width,
    height: set.height,
    dominantColor: set.dominantColor,
    bytesBefore: set.bytesBefore,
    bytesAfter: set.bytesAfter,
    variants: set.variantCount,
    originalKept: set.originalKept,
    cacheHit: set.cacheHit,
    notices,
  };
}
