/**
 * Files that are never an author's content: editors' lock and swap files, half-finished
 * downloads, OS litter. A dropped folder and a watch folder skip them alike (a file named
 * explicitly is always taken: the author asked for it).
 */
const TEMPORARY_OR_SYSTEM = [/^\.DS_Store$/, /^Thumbs\.db$/i, /^desktop\.ini$/i, /^~\$/, /\.(part|crdownload|tmp|swp)$/i, /^\.~lock\..*#?$/];

export function isTemporaryOrSystemFile(name: string): boolean {
  return TEMPORARY_OR_SYSTEM.some((pattern) => pattern.test(name));
}
