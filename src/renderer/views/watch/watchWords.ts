import { categories } from '../../../shared/layout';
import type { WatchFolderState, WatchFolderSummary } from '../../../shared/watch';
import type { Tone } from '../../components/statusWords';

/** What an author reads for a folder's state, and its tone: the word is always there, colour only adds. */
export function stateLabel(folder: WatchFolderSummary): string {
  switch (folder.state) {
    case 'syncing':
      return 'Syncing';
    case 'idle':
      return folder.files.pending > 0 ? 'Idle' : 'Up to date';
    case 'paused':
      return 'Paused';
    case 'unavailable':
      return 'Unavailable';
    case 'error':
      return heldDeletes(folder) > 0 ? 'Deletions held' : 'Error';
  }
}

export function stateTone(state: WatchFolderState): Tone {
  switch (state) {
    case 'syncing':
      return 'active';
    case 'idle':
      return 'success';
    case 'paused':
    case 'unavailable':
      return 'warning';
    case 'error':
      return 'danger';
  }
}

/** A sentence under the chip for the states that need one when the engine gave no message. */
export function stateSentence(folder: WatchFolderSummary): string | null {
  if (folder.message) return folder.message;
  switch (folder.state) {
    case 'paused':
      return 'Not watching: new and changed files wait until you resume. Nothing is lost meanwhile; they are found then.';
    case 'unavailable':
      return 'The folder cannot be reached right now. Nothing is deleted in the bucket; Quire looks again by itself.';
    default:
      return null;
  }
}

export function destinationText(folder: WatchFolderSummary): string {
  return folder.to ?? 'by type (each file under its type’s folder)';
}

export function typeText(folder: WatchFolderSummary): string {
  return folder.type ? `${folder.type} — ${categories[folder.type]}` : 'guessed per file';
}

export function timeText(at: number | null): string {
  return at === null ? 'not yet' : new Date(at).toLocaleString();
}

/**
 * Deletions the guard holds, as the page can stand behind: the engine's count, but never more
 * than the files actually gone from the folder now (put back, they are no longer to delete).
 */
export function heldDeletes(folder: WatchFolderSummary): number {
  return folder.syncDeletes ? Math.min(folder.deletesHeld, folder.files.missing) : 0;
}

/** What the folder does with files deleted from it, for the card. */
export function deletesText(folder: WatchFolderSummary): string {
  return folder.syncDeletes
    ? `deleted from the bucket too; held for you to confirm when more than ${folder.deleteGuardPercent}% vanish at once`
    : 'kept in the bucket (nothing is ever deleted there)';
}

/**
 * The guard made concrete for a folder of 20 files, by the engine's rule: more than the share,
 * and more than one file, is held (one file deleted alone always goes through).
 */
export function guardExample(percent: number): string | null {
  if (!Number.isInteger(percent) || percent < 1 || percent > 100) return null;
  const files = 20;
  const allowed = Math.max(1, Math.floor((files * percent) / 100));
  if (allowed >= files) return `At ${percent}%, deletions are never held.`;
  return `At ${percent}%, in a folder of ${files} files, deleting up to ${allowed} at once deletes their objects too; deleting ${allowed + 1} or more at once deletes nothing until you confirm here.`;
}

export function plural(count: number, one: string, many: string): string {
  return `${count.toLocaleString('en-US')} ${count === 1 ? one : many}`;
}

/** Whether the folder's images get a web set, as its card says it. */
export function imagesText(folder: WatchFolderSummary): string {
  if (folder.optimize === true) return 'always get a web set';
  if (folder.optimize === false) return 'uploaded as they are';
  return 'a web set as settings say';
}
