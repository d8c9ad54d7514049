import type { UploadStatus } from '../../shared/uploadStatus';

export type Tone = 'neutral' | 'active' | 'success' | 'warning' | 'danger';

/** The tone each upload status is shown in: colour is never the only signal, the word is always there. */
export function toneOf(status: UploadStatus): Tone {
  switch (status) {
    case 'verified':
      return 'success';
    case 'failed':
      return 'danger';
    case 'waiting':
    case 'paused':
      return 'warning';
    case 'uploading':
    case 'preparing':
    case 'completing':
      return 'active';
    case 'queued':
    case 'cancelled':
      return 'neutral';
  }
}

/** The word an author reads for each status. */
export function statusLabel(status: UploadStatus): string {
  switch (status) {
    case 'completing':
      return 'verifying';
    case 'preparing':
      return 'preparing';
    default:
      return status;
  }
}
