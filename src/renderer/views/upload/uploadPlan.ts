import { categories, categoryNames, type Category } from '../../../shared/layout';
import type { BatchQuota, EnqueueInput, EnqueueResult, PlannedFile, UploadPreview } from '../../../shared/upload';
import { quotaState } from '../../../shared/usage';
import { optimizeOf, type ImagesChoice } from '../../components/imageWords';

/**
 * The Upload view's model, without React: what the author added (sources), where it should go
 * (destination), and how that becomes the engine's calls. The engine is the one source of truth
 * for keys and refusals: the page never computes a key, it asks `uploads.preview` with exactly
 * the input it will later give `uploads.enqueue`.
 */

/** One drop or pick. Entries are the top-level things handed over: files and folders. */
export type Source =
  /** Paths on the engine's machine: the desktop window's drops, or the host's own folders. */
  | { id: string; kind: 'paths'; entries: string[] }
  /** A browser's drop, copied into a staging batch on the host; entries are names inside it. */
  | { id: string; kind: 'staged'; batch: string; entries: string[] };

export type TypeChoice = Category | 'auto';

/** The content types an author can choose, each with the folder it goes to. */
export const typeOptions: { value: TypeChoice; label: string }[] = [
  { value: 'auto', label: 'Guess from each name' },
  ...categoryNames.map((category) => ({ value: category, label: `${category} — ${categories[category] || '(top level)'}` })),
];

export interface Destination {
  /** Connection name; undefined for the engine's default. */
  connection: string | undefined;
  /** Folder in the bucket; empty for each type's own folder. */
  to: string;
  type: TypeChoice;
  template: 'keep-name' | 'dated-uuid';
  visibility: 'connection' | 'private' | 'public-read';
  onConflict: 'keep-both' | 'overwrite';
  /** Whether images get a web set: as settings say for their destination, always, or never. */
  images: ImagesChoice;
}

/**
 * Per-entry type choices, keyed by entryKey(). The contract takes one `type` per call, so entries
 * with different types are previewed and queued in separate calls; a file inside a dropped folder
 * takes its folder's choice (its key keeps the folder's structure only as part of that folder).
 */
export type TypeOverrides = Readonly<Record<string, TypeChoice>>;

export function entryKey(sourceId: string, entry: string): string {
  return `${sourceId}\u0000${entry}`;
}

export interface PlannedCall {
  source: Source;
  entries: string[];
  input: EnqueueInput;
}

export function typeOf(sourceId: string, entry: string, destination: Destination, overrides: TypeOverrides): TypeChoice {
  return overrides[entryKey(sourceId, entry)] ?? destination.type;
}

/** The calls that preview (and, unchanged, enqueue) everything added: one per source and type. */
export function plannedCalls(sources: readonly Source[], destination: Destination, overrides: TypeOverrides): PlannedCall[] {
  const calls: PlannedCall[] = [];
  for (const source of sources) {
    const byType = new Map<TypeChoice, string[]>();
    for (const entry of source.entries) {
      const type = typeOf(source.id, entry, destination, overrides);
      byType.set(type, [...(byType.get(type) ?? []), entry]);
    }
    for (const [type, entries] of byType) {
      calls.push({
        source,
        entries,
        input: {
          paths: entries,
          staged: source.kind === 'staged' ? source.batch : undefined,
          connection: destination.connection,
          to: destination.to.trim() === '' ? undefined : destination.to.trim(),
          type: type === 'auto' ? undefined : type,
          template: destination.template,
          visibility: destination.visibility === 'connection' ? undefined : destination.visibility,
          onConflict: destination.onConflict,
          optimize: optimizeOf(destination.images),
        },
      });
    }
  }
  return calls;
}

/** A planned file with the entry it came in with, so its row can change that entry's type. */
export interface PreviewRow extends PlannedFile {
  sourceId: string;
  entry: string;
}

/** Something that will not be uploaded, or needs the author's eye, said per file. */
export interface Problem {
  path: string;
  message: string;
  kind: 'rejected' | 'skipped' | 'not-copied' | 'unreadable';
}

export interface MergedPreview {
  rows: PreviewRow[];
  problems: Problem[];
  /** The connection's quota with every call's files added; null when nothing was asked. */
  quota: BatchQuota | null;
}

/** Which of a call's entries holds a file the engine named (a folder holds the files below it). */
export function entryOf(call: PlannedCall, filePath: string): string {
  if (call.source.kind === 'staged') {
    const top = filePath.split('/')[0] ?? filePath;
    return call.entries.includes(top) ? top : (call.entries[0] ?? top);
  }
  return call.entries.find((entry) => filePath === entry || filePath.startsWith(`${entry}/`) || filePath.startsWith(`${entry}\\`)) ?? call.entries[0] ?? filePath;
}

export function mergePreviews(results: { call: PlannedCall; preview: UploadPreview }[]): MergedPreview {
  const merged: MergedPreview = { rows: [], problems: [], quota: mergeQuotas(results.map((r) => r.preview.quota)) };
  for (const { call, preview } of results) {
    for (const file of preview.files) merged.rows.push({ ...file, sourceId: call.source.id, entry: entryOf(call, file.path) });
    for (const rejected of preview.rejected) merged.problems.push({ path: rejected.path, message: rejected.error.message, kind: 'rejected' });
    for (const skipped of preview.skipped) merged.problems.push({ path: skipped.path, message: skipped.reason, kind: 'skipped' });
  }
  return merged;
}

/**
 * One drop may take several calls to the same connection (a folder and loose files): each says
 * the stored bytes and its own files' bytes, so the batch's state is worked out from their sum
 * by the same rule the engine uses.
 */
export function mergeQuotas(quotas: readonly (BatchQuota | undefined)[]): BatchQuota | null {
  const known = quotas.filter((q): q is BatchQuota => q !== undefined);
  const first = known[0];
  if (!first) return null;
  const addedBytes = known.reduce((sum, q) => sum + q.addedBytes, 0);
  const after = first.usedBytes + addedBytes;
  return { ...first, addedBytes, stateAfter: quotaState(after, first.quotaBytes), overByBytes: Math.max(0, after - first.quotaBytes) };
}

export function mergeResults(results: EnqueueResult[]): EnqueueResult {
  return {
    queued: results.flatMap((r) => r.queued),
    rejected: results.flatMap((r) => r.rejected),
    skipped: results.flatMap((r) => r.skipped),
  };
}

/** The top-level names of what was staged: a loose file is its own entry, a folder's files share theirs. */
export function topLevelEntries(relativePaths: readonly string[]): string[] {
  const seen = new Set<string>();
  for (const path of relativePaths) seen.add(path.split('/')[0] ?? path);
  return [...seen];
}

/** The key a planned file will most likely take: beside an existing object, its kept-as name. */
export function keyShown(row: PlannedFile): string {
  return row.existing?.keptAs ?? row.objectKey;
}

/**
 * What the author should know about the key before sending: the object already there and what
 * happens to it, or that the bucket could not be asked. Null when the key is free.
 */
export function existingNotice(row: PlannedFile, onConflict: Destination['onConflict']): string | null {
  if (row.existing) {
    if (onConflict === 'overwrite') return `An object is already at ${row.objectKey}; yours will replace it.`;
    if (row.existing.keptAs) return `An object is already at ${row.objectKey}; it will be kept and yours uploaded as ${row.existing.keptAs}.`;
    return `An object is already at ${row.objectKey}; it will be kept and yours uploaded beside it under a free name.`;
  }
  if (row.existingUnknown) {
    return onConflict === 'overwrite'
      ? `Quire could not ask the bucket whether ${row.objectKey} is taken; if it is, yours will replace it.`
      : `Quire could not ask the bucket whether ${row.objectKey} is taken; if it is, yours will be kept beside it under a free name.`;
  }
  return null;
}
