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
      return 'Error';
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
