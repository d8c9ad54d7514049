import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ConnectionSummary } from '../../../shared/connection';
import type { Category } from '../../../shared/layout';
import { printable } from '../../../shared/printable';
import { openForWriting } from '../files/openForWriting';
import type { WatchedFileRow, WatchFolderRow } from '../ledger/schema';
import { classify } from '../layout/classify';
import { buildObjectKey } from '../layout/objectKey';
import type { ObjectStore } from '../s3/gateway';
import { planFiles, type PlanOptions } from '../upload/enqueue';
import { settledAt, SOURCE_QUIET_MS } from '../upload/sourceFile';
import type { UploadRepository } from '../upload/uploadRepository';
import { scanFolder, type FoundFile } from './folderScan';
import { deleteReport, deleteVanished, tooManyVanished } from './remoteDeletes';
import type { WatchRules } from './watchRules';
import type { WatchRepository } from './watchRepository';

/** A changed file whose object the bucket would not describe is looked at again after this. */
const UNANSWERED_RETRY_MS = 30_000;

/** What a reconcile needs from the engine around it. */
export interface ReconcilePorts {
  repository: WatchRepository;
  uploads: UploadRepository;
  gateway: () => Promise<ObjectStore>;
  /** How files are looked at (multipart threshold, which destinations' images get their set): settings of the moment. */
  planOptions: PlanOptions;
  /** Queued uploads: hosts hear of them and the queue looks at once. */
  queued: (uploadIds: string[], notices: Map<string, string>) => void;
  /** Pauses seen per file (absolute path) in this process, for the quiet rule. */
  writes: Map<string, { mtimeMs: number; longestPause: number }>;
}

export interface ReconcileOutcome {
  /** Null: the folder is there. Otherwise why it is unavailable; nothing was changed. */
  unavailable: string | null;
  problems: string[];
  /** When to look again at files still being written (null: none are). */
  lookAgainAt: number | null;
  /** Paths (relative) still being written, to look at again then. */
  unsettled: string[];
}

/**
 * One look at a watch folder (all of it, or the paths a watcher named), against what the ledger
 * knows of it: the ledger, not the event, decides. Unchanged files cost a stat; new and changed
 * files are queued once they have settled (the engine's quiet rule, and never while a process
 * still holds them open for writing); a file whose SHA-256 matches one that vanished is a
 * rename, copied inside the bucket; a file whose object someone else changed since Quire wrote
 * it is kept beside it. Nothing is ever deleted remotely.
 */
export async function reconcileFolder(folder: WatchFolderRow, connection: ConnectionSummary, rules: WatchRules, scope: 'all' | Set<string>, ports: ReconcilePorts, now = Date.now()): Promise<ReconcileOutcome> {
  const root = folder.path;
  const rootInfo = await stat(root).catch(() => null);
  if (!rootInfo?.isDirectory()) {
    return {
      unavailable: `${printable(root)} is not there (unmounted, moved or deleted). Nothing in the bucket is touched; Quire syncs it again when it is back.`,
      problems: [],
      lookAgainAt: null,
      unsettled: [],
    };
  }
  const scan = await scanFolder(root, rules, scope === 'all' ? 'all' : scope);
  const known = ports.repository.files(folder.id);
  const writes: WatchedFileRow[] = [];
  const row = (relativePath: string, file: FoundFile, values: Partial<WatchedFileRow>): WatchedFileRow => ({
    folderId: folder.id,
    relativePath,
    size: file.size,
    mtimeMs: file.mtimeMs,
    state: 'pending',
    uploadId: null,
    objectKey: null,
    sha256: null,
    etag: null,
    updatedAt: now,
    ...values,
  });

  // Gone from the folder: remembered as missing (a rename may claim it below); nothing remote.
  const inScope = (relativePath: string) => scope === 'all' || [...scope].some((path) => relativePath === path || relativePath.startsWith(`${path}/`));
  const vanished: WatchedFileRow[] = [];
  for (const [relativePath, known_] of known) {
    if (scan.files.has(relativePath) || !inScope(relativePath)) continue;
    if (known_.state !== 'missing') writes.push({ ...known_, state: 'missing', updatedAt: now });
    if (known_.state === 'synced' || known_.state === 'missing') vanished.push(known_);
  }

  // New or changed, and settled?
  const settled: { relativePath: string; file: FoundFile; known: WatchedFileRow | undefined }[] = [];
  const unsettled: string[] = [];
  let lookAgainAt: number | null = null;
  const later = (at: number, relativePath: string) => {
    unsettled.push(relativePath);
    lookAgainAt = lookAgainAt === null ? at : Math.min(lookAgainAt, at);
  };
  for (const [relativePath, file] of scan.files) {
    const known_ = known.get(relativePath);
    if (!rules.accepts(relativePath)) {
      if (known_?.state !== 'ignored' || known_.size !== file.size || known_.mtimeMs !== file.mtimeMs) writes.push(row(relativePath, file, { state: 'ignored' }));
      continue;
    }
    if (known_ && known_.size === file.size && known_.mtimeMs === file.mtimeMs) {
      // Put back as it was (a disk mounted again, an undo): the bucket still holds it.
      if (known_.state === 'missing') writes.push({ ...known_, state: known_.sha256 ? 'synced' : 'pending', updatedAt: now });
      continue;
    }
    const absolute = join(root, relativePath);
    const seen = ports.writes.get(absolute);
    const longestPause = seen && seen.mtimeMs !== file.mtimeMs ? Math.max(seen.longestPause, file.mtimeMs - seen.mtimeMs) : (seen?.longestPause ?? 0);
    ports.writes.set(absolute, { mtimeMs: file.mtimeMs, longestPause });
    const at = settledAt(file.mtimeMs, longestPause);
    if (now < at) later(at, relativePath);
    else {
      // Settled: the pauses of this write are forgotten, so the next edit starts afresh.
      ports.writes.delete(absolute);
      settled.push({ relativePath, file, known: known_ });
    }
  }
  // A writer that keeps its file open between bursts is still writing, however long it pauses.
  const recent = settled.filter(({ file }) => now - file.mtimeMs < 10 * 60_000).map(({ relativePath }) => join(root, relativePath));
  const busy = await openForWriting(new Set(recent));
  const ready = settled.filter(({ relativePath }) => {
    if (!busy.has(join(root, relativePath))) return true;
    later(now + SOURCE_QUIET_MS, relativePath);
    return false;
  });

  const category = (folder.category as Category | null) ?? null;
  const keyOf = (relativePath: string) => buildObjectKey({ relativePath, category: category ?? classify(relativePath), destinationPrefix: folder.prefix ?? undefined, template: 'keep-name' }, join(root, relativePath));
  const toQueue: { keepBoth: typeof ready; overwrite: typeof ready } = { keepBoth: [], overwrite: [] };
  const notices = new Map<string, string>();
  const gateway = ready.length > 0 ? await ports.gateway() : null;
  for (const entry of ready) {
    const { relativePath, file, known: known_ } = entry;
    if (gateway && (!known_ || known_.state === 'missing')) {
      // An image that went up with its web sizes is sent anew under its new name (its sizes come
      // from the cache): a copy would move the original and leave its sizes under the old name.
      const renamed = await copyIfRenamed(relativePath, file, vanished.filter((row) => !ports.uploads.hasImageSet(row.uploadId)), root, keyOf, connection, gateway, now, folder.id);
      if (renamed) {
        writes.push(renamed.row);
        vanished.splice(vanished.indexOf(renamed.from), 1);
        // The old name is not missing: it moved. Its row goes, with the "missing" just decided for it.
        const stale = writes.findIndex((write) => write.relativePath === renamed.from.relativePath);
        if (stale >= 0) writes.splice(stale, 1);
        ports.repository.deleteFile(folder.id, renamed.from.relativePath);
        // Moved, for an author who asked for deletes too: the old name goes from the bucket as well.
        if (folder.syncDeletes) await deleteVanished(folder.id, [renamed.from], gateway, ports);
        continue;
      }
    }
    // A changed file replaces the object Quire wrote, unless someone else changed that object since.
    if (gateway && known_?.state === 'synced' && known_.objectKey && known_.etag) {
      const remote = await gateway.headObject(known_.objectKey).catch(() => undefined);
      // The bucket did not answer: whose the object is cannot be told now, so ask again later.
      if (remote === undefined) later(now + UNANSWERED_RETRY_MS, relativePath);
      else if (remote === null || remote.etag === known_.etag) toQueue.overwrite.push(entry);
      else {
        toQueue.keepBoth.push(entry);
        notices.set(relativePath, `${known_.objectKey} was changed in the bucket since Quire wrote it; both are kept.`);
      }
      continue;
    }
    toQueue.keepBoth.push(entry);
  }

  const problems = [...scan.problems];
  const queuedIds: string[] = [];
  const noticesById = new Map<string, string>();
  for (const [onConflict, entries] of [['keep-both', toQueue.keepBoth], ['overwrite', toQueue.overwrite]] as const) {
    if (entries.length === 0) continue;
    const plan = await planFiles(
      entries.map(({ relativePath }) => ({ absolutePath: join(root, relativePath), relativePath })),
      { connection: connection.name, to: folder.prefix ?? undefined, type: category ?? undefined, onConflict, optimize: folder.optimize ?? undefined },
      connection,
      ports.planOptions,
    );
    ports.uploads.insertAll(plan.accepted.map(({ upload }) => upload));
    for (const { upload, relativePath } of plan.accepted) {
      // The size and time the upload's fingerprint was taken at: what the next look compares with.
      writes.push(row(relativePath, { size: upload.size, mtimeMs: upload.mtimeMs }, { uploadId: upload.id, objectKey: upload.objectKey }));
      queuedIds.push(upload.id);
      const notice = notices.get(relativePath);
      if (notice) noticesById.set(upload.id, notice);
    }
    for (const rejected of plan.rejected) {
      const relativePath = rejected.path.slice(root.length + 1).split('\\').join('/');
      const file = scan.files.get(relativePath);
      if (file) writes.push(row(relativePath, file, { state: 'ignored' }));
      problems.push(rejected.error.message);
    }
  }
  ports.repository.saveFiles(writes);
  if (queuedIds.length > 0) ports.queued(queuedIds, noticesById);
  if (folder.syncDeletes) {
    const held = await deleteOrHold(folder, ports);
    if (held) problems.push(held);
  }
  return { unavailable: null, problems, lookAgainAt, unsettled };
}

/**
 * Files gone from the folder, for an author who asked for deletes: their objects are deleted,
 * unless too many vanished at once (an unmounted disk, an emptied folder), in which case nothing
 * is deleted until the author confirms. Returns what the author must hear, if anything.
 */
async function deleteOrHold(folder: WatchFolderRow, ports: ReconcilePorts): Promise<string | null> {
  const files = [...ports.repository.files(folder.id).values()].filter((file) => file.state !== 'ignored');
  const vanished = files.filter((file) => file.state === 'missing');
  if (vanished.length === 0) {
    // The files came back (or the author confirmed): nothing is held any more.
    if (folder.deletesHeld > 0) ports.repository.updateFolder(folder.id, { deletesHeld: 0 });
    return null;
  }
  if (folder.deletesHeld > 0 || tooManyVanished(vanished.length, files.length, folder.deleteGuardPercent)) {
    ports.repository.updateFolder(folder.id, { deletesHeld: vanished.length });
    return `${printable(folder.path)}: ${vanished.length} of ${files.length} files vanished at once, more than the ${folder.deleteGuardPercent}% this folder allows, so nothing was deleted in the bucket. If the disk was unmounted or the folder emptied by mistake, put them back; if they were meant to go, confirm the deletions (quire watch confirm-deletes ${folder.id.slice(0, 8)}).`;
  }
  return deleteReport(folder.path, await deleteVanished(folder.id, vanished, await ports.gateway(), ports));
}

/**
 * A new file with the size and SHA-256 of one that vanished is that file renamed or moved: the
 * bucket copies its object to the new key (no bytes sent) instead of receiving it again.
 */
async function copyIfRenamed(
  relativePath: string,
  file: FoundFile,
  vanished: WatchedFileRow[],
  root: string,
  keyOf: (relativePath: string) => string,
  connection: ConnectionSummary,
  gateway: ObjectStore,
  now: number,
  folderId: string,
): Promise<{ row: WatchedFileRow; from: WatchedFileRow } | null> {
  // Never the file's own row: a file back at its own path is not a rename of itself.
  const candidates = vanished.filter((row) => row.relativePath !== relativePath && row.size === file.size && row.sha256 && row.objectKey);
  if (candidates.length === 0) return null;
  const sha256 = await sha256Of(join(root, relativePath));
  const from = candidates.find((row) => row.sha256 === sha256);
  if (!from) return null;
  const key = keyOf(relativePath);
  const existing = await gateway.headObject(key).catch(() => undefined);
  if (existing === undefined || (existing && existing.sha256 !== sha256)) return null; // the key is taken, or the bucket did not answer: a normal upload decides
  const etag = existing ? existing.etag : await gateway.copyObject(from.objectKey!, key, connection.defaultVisibility);
  return { from, row: { folderId, relativePath, size: file.size, mtimeMs: file.mtimeMs, state: 'synced', uploadId: null, objectKey: key, sha256, etag, updatedAt: now } };
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
