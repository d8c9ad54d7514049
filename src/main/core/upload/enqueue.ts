import { randomUUID } from 'node:crypto';
import type { Dirent, Stats } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { basename, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { MAX_OBJECT_SIZE, type ConnectionSummary } from '../../../shared/connection';
import { formatBytes } from '../../../shared/format';
import { printable } from '../../../shared/printable';
import { enqueueInputSchema, type EnqueueInput, type EnqueueResult, type RejectedFile, type SkippedEntry } from '../../../shared/upload';
import { QuireError } from '../errors';
import { classify, contentTypeFor, extensionOf } from '../layout/classify';
import { isTemporaryOrSystemFile } from '../layout/ignoredFiles';
import { buildObjectKey } from '../layout/objectKey';
import { presetFor } from '../../../shared/images';
import { fingerprintFile } from './fingerprint';
import { DEFAULT_MULTIPART_THRESHOLD } from './partPlan';
import { Semaphore } from '../util/semaphore';
import type { NewUpload, UploadRepository } from './uploadRepository';

interface Candidate {
  /** The entry as the author sees it: its name is classified, keyed and named in messages. */
  absolutePath: string;
  relativePath: string;
  /** What is read: the entry itself, or the file a followed link inside the folder leads to. */
  sourcePath: string;
}

/** What an enqueue would queue (rows not yet written), refuse and skip. */
export interface UploadPlan {
  accepted: { upload: NewUpload; relativePath: string }[];
  rejected: RejectedFile[];
  skipped: SkippedEntry[];
}

/** How files are looked at: the multipart threshold, and which destinations' images get their web set by default (settings). */
export interface PlanOptions {
  multipartThreshold?: number;
  optimizedCategories?: readonly string[];
  /** The web sets' file type ("webp"): a connection that does not take it gets images as they are. */
  imageExtension?: string;
}

interface ExamineOptions {
  multipartThreshold: number;
  optimizedCategories: readonly string[];
  imageExtension: string;
}

function examineOptions(options: PlanOptions): ExamineOptions {
  return { multipartThreshold: options.multipartThreshold ?? DEFAULT_MULTIPART_THRESHOLD, optimizedCategories: options.optimizedCategories ?? [], imageExtension: options.imageExtension ?? 'webp' };
}

/**
 * Turns the paths an author dropped into queued rows. Every file is checked before anything is
 * queued for it, and one bad file is reported by name without stopping the others.
 */
export async function enqueueUploads(
  input: EnqueueInput,
  connection: ConnectionSummary,
  repository: UploadRepository,
  options: PlanOptions = {},
): Promise<EnqueueResult> {
  const plan = await planUploads(input, connection, options);
  const accepted = plan.accepted.map((entry) => entry.upload);
  repository.insertAll(accepted);
  const queued = accepted.flatMap((upload) => {
    const summary = repository.summary(upload.id);
    return summary ? [summary] : [];
  });
  return { queued, rejected: plan.rejected, skipped: plan.skipped };
}

/**
 * Every file the paths name, checked and keyed as it would be queued, without writing anything:
 * the preview an author reads before sending, and the first half of an enqueue.
 */
export async function planUploads(input: EnqueueInput, connection: ConnectionSummary, options: PlanOptions = {}): Promise<UploadPlan> {
  const request = enqueueInputSchema.parse(input);
  const plan: UploadPlan = { accepted: [], rejected: [], skipped: [] };

  for (const path of request.paths) {
    let candidates: Candidate[];
    try {
      candidates = await expand(path, plan.skipped);
    } catch (error) {
      plan.rejected.push(reject(path, error));
      continue;
    }
    await examineAll(candidates, request, connection, examineOptions(options), plan);
  }
  return plan;
}

/**
 * Files named with their paths inside a folder the author keeps (a watch folder): each is keyed
 * by that path under the destination, checked like any dropped file. `input.paths` is ignored.
 */
export async function planFiles(files: { absolutePath: string; relativePath: string }[], input: Omit<EnqueueInput, 'paths'>, connection: ConnectionSummary, options: PlanOptions = {}): Promise<UploadPlan> {
  const request = enqueueInputSchema.parse({ ...input, paths: ['(watch folder)'] });
  const plan: UploadPlan = { accepted: [], rejected: [], skipped: [] };
  const candidates = files.map((file) => ({ absolutePath: file.absolutePath, relativePath: file.relativePath, sourcePath: file.absolutePath }));
  await examineAll(candidates, request, connection, examineOptions(options), plan);
  return plan;
}

async function examineAll(candidates: Candidate[], request: ReturnType<typeof enqueueInputSchema.parse>, connection: ConnectionSummary, options: ExamineOptions, plan: UploadPlan): Promise<void> {
  // Files are looked at a few at a time (a dropped folder of a thousand covers is mostly
  // waiting on the disk), then recorded in one transaction rather than a commit per file.
  // One time for the batch: rows of equal time run in the order they were inserted, which is
  // the files' own order (Promise.all keeps it, whatever order the checks finish in).
  const now = Date.now();
  const examiners = new Semaphore(FILES_EXAMINED_AT_ONCE);
  const examined = await Promise.all(
    candidates.map((candidate) =>
      examiners.run(() =>
        examine(candidate, request, connection, options, now).then(
          (upload) => ({ upload, relativePath: candidate.relativePath }),
          (error: unknown) => {
            plan.rejected.push(reject(candidate.absolutePath, error));
            return null;
          },
        ),
      ),
    ),
  );
  plan.accepted.push(...examined.filter((entry) => entry !== null));
}

/** Enough to keep the disk (and the thread pool's four readers) busy. */
const FILES_EXAMINED_AT_ONCE = 16;

/** One file checked and described as a row to queue; throws (naming the file) when it may not be. */
async function examine(candidate: Candidate, request: ReturnType<typeof enqueueInputSchema.parse>, connection: ConnectionSummary, options: ExamineOptions, createdAt: number): Promise<NewUpload> {
  const threshold = options.multipartThreshold;
  const identity = await fingerprintFile(candidate.sourcePath, threshold);
  checkAllowed(candidate.absolutePath, identity.size, connection);
  const category = request.type ?? classify(candidate.absolutePath);
  // A connection limited to some file types gets no web set of a type it refuses (the preview shows none).
  const setAllowed = connection.allowedFileTypes.length === 0 || connection.allowedFileTypes.includes(options.imageExtension);
  const optimize = setAllowed ? presetFor(extensionOf(candidate.absolutePath), category, request.optimize, options.optimizedCategories) : null;
  return {
    id: randomUUID(),
    connectionId: connection.id,
    sourcePath: candidate.sourcePath,
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
    optimize,
    imageSetId: null,
    variant: null,
    originPath: null,
    metadata: null,
    createdAt,
  };
}

async function expand(path: string, skipped: SkippedEntry[]): Promise<Candidate[]> {
  const absolutePath = resolve(path);
  // A link named by the author is followed wherever it points: they asked for it.
  const info = await stat(absolutePath).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') throw new QuireError('file_missing', `${printable(absolutePath)}: no such file or folder. Check the path; nothing was queued for it.`);
    if (error.code === 'EACCES') throw new QuireError('file_unreadable', `${printable(absolutePath)}: permission denied. Give Quire read access to it.`);
    throw error;
  });
  if (info.isFile()) return [{ absolutePath, relativePath: basename(absolutePath), sourcePath: absolutePath }];
  if (!info.isDirectory()) throw new QuireError('file_unreadable', `${printable(absolutePath)}: not a regular file or folder (a device or socket cannot be uploaded).`);
  // A dropped folder keeps its own name and structure under the destination.
  const folder: DroppedFolder = { root: resolve(absolutePath, '..'), realPath: await realpath(absolutePath), skipped: [] };
  const files: Candidate[] = [];
  await walk(absolutePath, folder, files);
  skipped.push(...folder.skipped.sort((a, b) => a.path.localeCompare(b.path)));
  return files.sort((a, b) => a.relativePath.localeCompare(b.relativePath));
}

interface DroppedFolder {
  /** Relative paths (and so object keys) start below this: the folder's own name is kept. */
  root: string;
  /** Where the folder really is, links resolved: a followed link must lead to a file inside it. */
  realPath: string;
  skipped: SkippedEntry[];
}

async function walk(dir: string, folder: DroppedFolder, into: Candidate[]): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (isTemporaryOrSystemFile(entry.name)) continue;
    const full = join(dir, entry.name);
    const relativePath = relative(folder.root, full).split(sep).join('/');
    if (entry.isDirectory()) await walk(full, folder, into);
    else if (entry.isFile()) into.push({ absolutePath: full, relativePath, sourcePath: full });
    else if (entry.isSymbolicLink()) {
      const target = await followableTarget(full, folder);
      if (typeof target === 'string') into.push({ absolutePath: full, relativePath, sourcePath: target });
      else folder.skipped.push({ path: full, reason: target.reason });
    } else folder.skipped.push({ path: full, reason: `${kindOf(entry)}, not a regular file; only files are uploaded.` });
  }
}

/**
 * The rule for links inside a dropped folder: one that leads to a regular file inside the folder
 * is uploaded under the link's own name; anything else is skipped and said so. A link out of the
 * folder could send what the author never meant to share (a key file, a home folder), and links
 * to folders are not followed at all, so a link to a parent can never make the walk loop.
 * Returns the real path of the file, which is what gets read: pointing the link elsewhere after
 * it was queued cannot make Quire send a file the rule would have refused.
 */
async function followableTarget(link: string, folder: DroppedFolder): Promise<string | { reason: string }> {
  let target: string;
  let info: Stats;
  try {
    target = await realpath(link);
    info = await stat(target);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { reason: 'a broken link: what it points to does not exist.' };
    if (code === 'ELOOP') return { reason: 'a link that leads back to itself through other links.' };
    return { reason: `a link that cannot be followed (${code ?? String(error)}).` };
  }
  if (info.isDirectory()) return { reason: `a link to a folder (${printable(target)}); links to folders are not followed. Drop that folder itself to upload it.` };
  const fromFolder = relative(folder.realPath, target);
  if (fromFolder === '..' || fromFolder.startsWith(`..${sep}`) || isAbsolute(fromFolder)) {
    return { reason: `a link to ${printable(target)}, outside the folder you dropped; only links to files inside it are followed. Drop that file itself to upload it.` };
  }
  if (!info.isFile()) return { reason: `a link to ${kindOf(info)} (${printable(target)}), not a regular file; only files are uploaded.` };
  return target;
}

function kindOf(entry: Dirent | Stats): string {
  if (entry.isFIFO()) return 'a named pipe (FIFO)';
  if (entry.isSocket()) return 'a socket';
  if (entry.isCharacterDevice() || entry.isBlockDevice()) return 'a device';
  return 'a special file';
}

function checkAllowed(path: string, size: number, connection: ConnectionSummary): void {
  if (size > MAX_OBJECT_SIZE) {
    throw new QuireError('file_too_large', `${printable(path)} is ${formatBytes(size)}; no S3 service stores objects over 5 TiB. Split it before uploading.`);
  }
  if (size > connection.maxFileSize) {
    throw new QuireError(
      'file_too_large',
      `${printable(path)} is ${formatBytes(size)}, over connection "${connection.name}"'s limit of ${formatBytes(connection.maxFileSize)}. Raise the connection's maximum file size if this is intended.`,
    );
  }
  const ext = extensionOf(path);
  if (connection.allowedFileTypes.length > 0 && !connection.allowedFileTypes.includes(ext)) {
    throw new QuireError(
      'file_type_not_allowed',
      `${printable(path)}: .${printable(ext) || '(none)'} files are not allowed on connection "${connection.name}" (allowed: ${connection.allowedFileTypes.join(', ')}).`,
    );
  }
}

/**
 * Every message that leaves here is safe to print: the file's name is escaped where it is put in,
 * and escaping the whole message again (which changes nothing already escaped) also covers names
 * that arrive inside another error's text, such as the operating system's.
 */
function reject(path: string, error: unknown): RejectedFile {
  if (error instanceof QuireError) return { path, error: { ...error.toData(), message: printable(error.message) } };
  return { path, error: { code: 'internal', message: printable(`${path}: ${error instanceof Error ? error.message : String(error)}`), retryable: false } };
}
