import { randomUUID } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import { basename, join, relative, resolve, sep } from 'node:path';
import { MAX_OBJECT_SIZE, type ConnectionSummary } from '../../../shared/connection';
import { formatBytes } from '../../../shared/format';
import { enqueueInputSchema, type EnqueueInput, type EnqueueResult, type RejectedFile } from '../../../shared/upload';
import { QuireError } from '../errors';
import { classify, contentTypeFor, extensionOf } from '../layout/classify';
import { buildObjectKey } from '../layout/objectKey';
import { fingerprintFile } from './fingerprint';
import { DEFAULT_MULTIPART_THRESHOLD } from './partPlan';
import { Semaphore } from '../util/semaphore';
import { toUploadSummary } from './uploadSummary';
import type { NewUpload, UploadRepository } from './uploadRepository';

/**
 * Files that are never an author's content: editors' lock and swap files, half-finished
 * downloads, OS litter. Skipped inside folders (a file named explicitly is always taken).
 */
const IGNORED_NAMES = [/^\.DS_Store$/, /^Thumbs\.db$/i, /^desktop\.ini$/i, /^~\$/, /\.(part|crdownload|tmp|swp)$/i, /^\.~lock\./];

interface Candidate {
  absolutePath: string;
  relativePath: string;
}

/**
 * Turns the paths an author dropped into queued rows. Every file is checked before anything is
 * queued for it, and one bad file is reported by name without stopping the others.
 */
export async function enqueueUploads(
  input: EnqueueInput,
  connection: ConnectionSummary,
  repository: UploadRepository,
  options: { multipartThreshold?: number } = {},
): Promise<EnqueueResult> {
  const request = enqueueInputSchema.parse(input);
  const threshold = options.multipartThreshold ?? DEFAULT_MULTIPART_THRESHOLD;
  const result: EnqueueResult = { queued: [], rejected: [] };

  for (const path of request.paths) {
    let candidates: Candidate[];
    try {
      candidates = await expand(path);
    } catch (error) {
      result.rejected.push(reject(path, error));
      continue;
    }
    // Files are looked at a few at a time (a dropped folder of a thousand covers is mostly
    // waiting on the disk), then recorded in one transaction rather than a commit per file.
    // One time for the batch: rows of equal time run in the order they were inserted, which is
    // the files' own order (Promise.all keeps it, whatever order the checks finish in).
    const now = Date.now();
    const examiners = new Semaphore(FILES_EXAMINED_AT_ONCE);
    const examined = await Promise.all(
      candidates.map((candidate) =>
        examiners.run(() =>
          examine(candidate, request, connection, threshold, now).catch((error: unknown) => {
            result.rejected.push(reject(candidate.absolutePath, error));
            return null;
          }),
        ),
      ),
    );
    const accepted = examined.filter((upload) => upload !== null);
    repository.insertAll(accepted);
    for (const upload of accepted) {
      const row = repository.get(upload.id);
      if (row) result.queued.push(toUploadSummary(row));
    }
  }
  return result;
}

/** Enough to keep the disk (and the thread pool's four readers) busy. */
const FILES_EXAMINED_AT_ONCE = 16;

/** One file checked and described as a row to queue; throws (naming the file) when it may not be. */
async function examine(candidate: Candidate, request: ReturnType<typeof enqueueInputSchema.parse>, connection: ConnectionSummary, threshold: number, createdAt: number): Promise<NewUpload> {
  const identity = await fingerprintFile(candidate.absolutePath, threshold);
  checkAllowed(candidate.absolutePath, identity.size, connection);
  const category = request.type ?? classify(candidate.absolutePath);
  return {
    id: randomUUID(),
    connectionId: connection.id,
    sourcePath: candidate.absolutePath,
    size: identity.size,
    mtimeMs: identity.mtimeMs,
    fingerprint: identity.fingerprint,
    objectKey: buildObjectKey({ relativePath: candidate.relativePath, category, destinationPrefix: request.to, template: request.template }, candidate.absolutePath),
    contentType: contentTypeFor(candidate.absolutePath),
    category,
    visibility: request.visibility ?? connection.defaultVisibility,
    onConflict: request.onConflict,
    status: 'queued',
    method: identity.size > threshold ? 'multipart' : 'single',
    createdAt,
  };
}

async function expand(path: string): Promise<Candidate[]> {
  const absolutePath = resolve(path);
  const info = await stat(absolutePath).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') throw new QuireError('file_missing', `${absolutePath}: no such file or folder. Check the path; nothing was queued for it.`);
    if (error.code === 'EACCES') throw new QuireError('file_unreadable', `${absolutePath}: permission denied. Give Quire read access to it.`);
    throw error;
  });
  if (info.isFile()) return [{ absolutePath, relativePath: basename(absolutePath) }];
  if (!info.isDirectory()) throw new QuireError('file_unreadable', `${absolutePath}: not a regular file or folder (a device or socket cannot be uploaded).`);
  // A dropped folder keeps its own name and structure under the destination.
  const root = resolve(absolutePath, '..');
  const files: Candidate[] = [];
  await walk(absolutePath, root, files);
  return files.sort((a, b) => a.relativePath.localeCompare(b.relativePath));
}

async function walk(dir: string, root: string, into: Candidate[]): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (IGNORED_NAMES.some((pattern) => pattern.test(entry.name))) continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) await walk(full, root, into);
    else if (entry.isFile()) into.push({ absolutePath: full, relativePath: relative(root, full).split(sep).join('/') });
  }
}

function checkAllowed(path: string, size: number, connection: ConnectionSummary): void {
  if (size > MAX_OBJECT_SIZE) {
    throw new QuireError('file_too_large', `${path} is ${formatBytes(size)}; no S3 service stores objects over 5 TiB. Split it before uploading.`);
  }
  if (size > connection.maxFileSize) {
    throw new QuireError(
      'file_too_large',
      `${path} is ${formatBytes(size)}, over connection "${connection.name}"'s limit of ${formatBytes(connection.maxFileSize)}. Raise the connection's maximum file size if this is intended.`,
    );
  }
  const ext = extensionOf(path);
  if (connection.allowedFileTypes.length > 0 && !connection.allowedFileTypes.includes(ext)) {
    throw new QuireError(
      'file_type_not_allowed',
      `${path}: .${ext || '(none)'} files are not allowed on connection "${connection.name}" (allowed: ${connection.allowedFileTypes.join(', ')}).`,
    );
  }
}

function reject(path: string, error: unknown): RejectedFile {
  if (error instanceof QuireError) return { path, error: error.toData() };
  return { path, error: { code: 'internal', message: `${path}: ${error instanceof Error ? error.message : String(error)}`, retryable: false } };
}
