import { create } from 'zustand';
import { formatBytes } from '../../../shared/format';
import type { EnqueueResult } from '../../../shared/upload';
import { call, hostKind, messageOf } from '../../api/appApi';
import { stageFiles } from '../../api/staging';
import { announce } from '../../components/Announcer';
import type { Picked } from './readPicked';
import { entryKey, mergeResults, topLevelEntries, type Destination, type PlannedCall, type Problem, type Source, type TypeChoice, type TypeOverrides } from './uploadPlan';

/**
 * What the author is putting together on the Upload view, kept outside React: only the chosen view
 * is mounted, so a look at Connections in the middle of a drop must not lose the files, the
 * choices, or a copy to the host still under way (its progress keeps arriving here).
 */

export interface Staging {
  sent: number;
  total: number;
  files: number;
  controller: AbortController;
}

export interface Outcome {
  queued: number;
  queuedBytes: number;
  connection: string | undefined;
  problems: Problem[];
  error: string | null;
}

export interface UploadDraft {
  sources: Source[];
  /** Files that never reached the engine: unreadable, or refused while copied to the host. */
  intakeProblems: Problem[];
  overrides: TypeOverrides;
  destination: Destination;
  staging: Staging | null;
  sending: boolean;
  outcome: Outcome | null;
  intakeError: string | null;
}

const initialDestination: Destination = { connection: undefined, to: '', type: 'auto', template: 'keep-name', visibility: 'connection', onConflict: 'keep-both', images: 'settings' };

export const useUploadDraft = create<UploadDraft>(() => ({
  sources: [],
  intakeProblems: [],
  overrides: {},
  destination: initialDestination,
  staging: null,
  sending: false,
  outcome: null,
  intakeError: null,
}));

const set = useUploadDraft.setState;
const get = useUploadDraft.getState;

export function setDestination(destination: Destination): void {
  set({ destination });
}

function addSource(source: Source): void {
  set((s) => ({ sources: [...s.sources, source], outcome: null }));
}

/** Paths on the Quire machine, chosen in its folder browser: read where they are. */
export function addHostPaths(paths: string[]): void {
  if (paths.length > 0) addSource({ id: crypto.randomUUID(), kind: 'paths', entries: paths });
}

/** A drop or pick: paths go to the engine as they are; a browser's files are copied to the host first. */
export async function addPicked(pending: Promise<Picked>): Promise<void> {
  set({ intakeError: null });
  let picked: Picked;
  try {
    picked = await pending;
  } catch (error) {
    set({ intakeError: `The dropped items could not be read: ${messageOf(error)}` });
    return;
  }
  const unreadable = picked.unreadable.map(
    (path): Problem => ({
      path,
      kind: 'unreadable',
      message:
        hostKind === 'desktop'
          ? `${path} has no place on disk Quire can read (was it dragged from another app?). Save it to a folder first, then add it.`
          : `${path} could not be read by the browser. Check that it still exists, then add it again.`,
    }),
  );
  set((s) => ({ intakeProblems: [...s.intakeProblems, ...unreadable] }));
  if (picked.kind === 'paths') {
    if (picked.paths.length > 0) addSource({ id: crypto.randomUUID(), kind: 'paths', entries: picked.paths });
    return;
  }
  if (picked.files.length === 0) {
    if (unreadable.length === 0) set({ intakeError: 'Nothing to add: the drop held no files (an empty folder?).' });
    return;
  }
  const controller = new AbortController();
  set({ staging: { sent: 0, total: picked.files.reduce((sum, f) => sum + f.file.size, 0), files: picked.files.length, controller } });
  const staged = await stageFiles(picked.files, (sent, total) => set((s) => (s.staging ? { staging: { ...s.staging, sent, total } } : {})), controller.signal);
  set({ staging: null });
  if (controller.signal.aborted) {
    announce('Copying cancelled; nothing was added.');
    set({ intakeError: 'Copying was cancelled; nothing was added. What had been copied is removed from the Quire machine within a day.' });
    return;
  }
  set((s) => ({ intakeProblems: [...s.intakeProblems, ...staged.failed.map((f): Problem => ({ path: f.relativePath, kind: 'not-copied', message: f.message }))] }));
  if (staged.staged.length > 0) addSource({ id: crypto.randomUUID(), kind: 'staged', batch: staged.batch, entries: topLevelEntries(staged.staged) });
}

export function cancelStaging(): void {
  get().staging?.controller.abort();
}

/** A type for one dropped file or folder; the batch's own choice again removes the exception. */
export function setEntryType(sourceId: string, entry: string, type: TypeChoice): void {
  set((s) => {
    const overrides = { ...s.overrides };
    if (type === s.destination.type) delete overrides[entryKey(sourceId, entry)];
    else overrides[entryKey(sourceId, entry)] = type;
    return { overrides };
  });
}

export function leaveOut(sourceId: string, entry: string): void {
  set((s) => ({ sources: s.sources.map((source) => (source.id === sourceId ? { ...source, entries: source.entries.filter((e) => e !== entry) } : source)).filter((source) => source.entries.length > 0) }));
}

export function startOver(): void {
  set({ sources: [], overrides: {}, intakeProblems: [], intakeError: null });
}

/**
 * Queues exactly what the shown preview answered for: the same calls, so only the files it
 * listed go (the engine refuses the others again by the same rules).
 */
export async function send(calls: readonly PlannedCall[]): Promise<void> {
  if (calls.length === 0 || get().sending) return;
  set({ sending: true });
  const results: EnqueueResult[] = [];
  let error: string | null = null;
  for (const planned of calls) {
    try {
      results.push(await call('uploads.enqueue', planned.input));
    } catch (e) {
      error = messageOf(e);
      break;
    }
  }
  const merged = mergeResults(results);
  const outcome: Outcome = {
    queued: merged.queued.length,
    queuedBytes: merged.queued.reduce((sum, u) => sum + u.size, 0),
    connection: get().destination.connection,
    problems: [
      ...get().intakeProblems,
      ...merged.rejected.map((r): Problem => ({ path: r.path, message: r.error.message, kind: 'rejected' })),
      ...merged.skipped.map((s): Problem => ({ path: s.path, message: s.reason, kind: 'skipped' })),
    ],
    error,
  };
  set({ outcome, sending: false });
  announce(outcomeSentence(outcome));
  if (!error) startOver();
}

function outcomeSentence(outcome: Outcome): string {
  const queued = `${outcome.queued} ${outcome.queued === 1 ? 'file' : 'files'} queued (${formatBytes(outcome.queuedBytes)})`;
  const refused = outcome.problems.length > 0 ? `; ${outcome.problems.length} not uploaded` : '';
  return outcome.error ? `${queued}; then Quire stopped: ${outcome.error}` : `${queued}${refused}.`;
}
