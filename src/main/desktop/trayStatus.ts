import { formatBytes } from '../../shared/format';
import type { QueueState } from '../../shared/upload';
import type { BatchProgress } from './batchTracker';

/** What the tray (menu bar) and the taskbar show: computed from the engine's events, drawn by the Electron host. */
export interface TrayStatus {
  /** What is going on, in a line ("Uploading — 1.2 GiB of 3.4 GiB (35%)"): the menu's first line. */
  headline: string;
  /** The tray icon's tooltip: the headline, with the counts. */
  tooltip: string;
  /** The taskbar/dock progress bar: 0..1, or -1 for none. */
  progress: number;
  /** paused: the bar drawn as paused (Windows); error: a failure needs the author. */
  progressMode: 'normal' | 'paused' | 'error' | 'none';
  counts: { uploading: number; waiting: number; failed: number };
  /** The menu's items that can be used now. */
  canPauseAll: boolean;
  canResumeAll: boolean;
}

/**
 * The tray's state from the queue's state, the batch's progress and how many uploads failed (a
 * ledger count: failures stay until retried or cleared, whichever process made them).
 */
export function trayStatus(queue: QueueState, batch: BatchProgress | null, failed: number): TrayStatus {
  const counts = { uploading: queue.active, waiting: queue.pending, failed };
  const tally = [`${counts.uploading} uploading`, `${counts.waiting} waiting`, ...(failed > 0 ? [`${failed} failed`] : [])].join(', ');
  const percent = batch && batch.bytes > 0 ? batch.bytesDone / batch.bytes : null;
  const amount = batch && batch.bytes > 0 ? ` — ${formatBytes(batch.bytesDone)} of ${formatBytes(batch.bytes)} (${Math.floor((percent ?? 0) * 100)}%)` : '';
  const paused = queue.state === 'paused';
  const working = queue.active > 0 || queue.pending > 0;
  let headline: string;
  switch (queue.state) {
    case 'running':
      headline = `Uploading${amount}`;
      break;
    case 'waiting':
      headline = queue.offline.length > 0 ? 'Offline: uploads go on when the connection is back' : 'Waiting to retry';
      break;
    case 'paused':
      headline = 'Paused';
      break;
    case 'halted':
      headline = `Stopped: ${queue.halted?.message ?? 'the ledger cannot be written'}`;
      break;
    case 'elsewhere':
      headline = 'Another Quire (quire run --follow) is uploading';
      break;
    case 'stopped':
      headline = 'Not uploading';
      break;
    default:
      headline = failed > 0 ? 'Idle: some uploads failed' : 'All uploads done';
  }
  const progressMode: TrayStatus['progressMode'] = queue.state === 'halted' ? 'error' : paused && working ? 'paused' : working && percent !== null ? 'normal' : 'none';
  return {
    headline,
    tooltip: `Quire — ${headline}\n${tally}`,
    progress: progressMode === 'none' ? -1 : Math.min(1, Math.max(0, percent ?? 0)),
    progressMode,
    counts,
    canPauseAll: !paused && queue.state !== 'stopped' && queue.state !== 'halted',
    canResumeAll: paused || failed > 0,
  };
}
