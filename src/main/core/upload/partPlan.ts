/** S3 and Spaces: parts of 5 MiB to 5 GiB (the last may be smaller), at most 10,000 per object. */
export const MIB = 1024 * 1024;
export const MIN_PART_SIZE = 5 * MIB;
export const MAX_PART_SIZE = 5 * 1024 * MIB;
export const MAX_PARTS = 10_000;
/** The platform specs' threshold and chunk size. */
export const DEFAULT_MULTIPART_THRESHOLD = 10 * MIB;
export const DEFAULT_PART_SIZE = 10 * MIB;

/**
 * The part size for a file: the preferred size, grown (in whole MiB) just enough that the file
 * fits in 10,000 parts. 10 MiB parts cover files up to ~97 GiB; a 5 TiB file gets ~525 MiB parts.
 */
export function choosePartSize(fileSize: number, preferred = DEFAULT_PART_SIZE): number {
  let partSize = Math.max(MIN_PART_SIZE, preferred);
  const needed = Math.ceil(fileSize / MAX_PARTS);
  if (needed > partSize) partSize = Math.ceil(needed / MIB) * MIB;
  if (partSize > MAX_PART_SIZE) throw new RangeError(`A file of ${fileSize} bytes cannot be split into ${MAX_PARTS} parts of at most 5 GiB.`);
  return partSize;
}

export function partCount(fileSize: number, partSize: number): number {
  return Math.max(1, Math.ceil(fileSize / partSize));
}

/** Byte range of 1-based part `partNumber`. */
export function partRange(fileSize: number, partSize: number, partNumber: number): { offset: number; length: number } {
  const offset = (partNumber - 1) * partSize;
  return { offset, length: Math.min(partSize, fileSize - offset) };
}
