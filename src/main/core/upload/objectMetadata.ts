import type { UploadRow } from '../ledger/schema';

/**
 * The x-amz-meta-* an upload's object is written with beyond its SHA-256: an image variant's
 * width, height, source SHA-256 and dominant colour (recorded as JSON when the set was prepared).
 * A value that no longer parses is left out rather than failing the upload: it describes, it does not protect.
 */
export function objectMetadataOf(row: Pick<UploadRow, 'metadata'>): Record<string, string> | undefined {
  if (!row.metadata) return undefined;
  try {
    const parsed: unknown = JSON.parse(row.metadata);
    if (!parsed || typeof parsed !== 'object') return undefined;
    return Object.fromEntries(Object.entries(parsed).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
  } catch {
    return undefined;
  }
}
