import { formatBytes, formatDuration } from '../../../shared/format';
import type { UploadSummary } from '../../../shared/upload';
import { untilText } from '../../shell/useNow';
import { statusLabel } from '../../components/statusWords';
import { readableMessage, uploadName } from '../../components/imageWords';

/**
 * The file's name as the author knows it: the last segment of its key, or for a member of an
 * image set the author's file and its place in the set ("cover.jpg · 480 px WebP").
 */
export function displayName(upload: UploadSummary): string {
  return uploadName(upload);
}

/**
 * The sentence beside an upload's status: why it waits and when it tries again, what a failure
 * asks the author to do, or what the engine noticed ("resumed at 63%: 5 of 8 parts were already
 * in the bucket").
 */
export function statusDetail(upload: UploadSummary, notice: string | undefined, now: number): string {
  // What the image's preparation noticed ("converted from CMYK to sRGB") is said like any notice.
  const imageNotices = upload.imageSet?.notices.join('; ') ?? '';
  const said = readableMessage(upload, notice ?? upload.notice ?? imageNotices);
  switch (upload.status) {
    case 'queued':
      return said || (upload.optimize ? 'Waiting its turn; its web images are made first' : 'Waiting its turn');
    case 'preparing':
      return upload.optimize ? 'Making web images…' : 'Reading the file before sending';
    case 'uploading':
      return said;
    case 'completing':
      return 'Checking the object in the bucket';
    case 'waiting': {
      const why = upload.error ? readableMessage(upload, upload.error.message) : 'Waiting to try again';
      return upload.retryAfter ? `${why} · tries again in ${untilText(upload.retryAfter, now)}` : why;
    }
    case 'paused':
      return said ? `Paused · ${said}` : 'Paused: resume to continue where it stopped';
    case 'verified': {
      const verified = upload.verifiedAt ? `Verified ${new Date(upload.verifiedAt).toLocaleString()}` : 'Verified';
      return imageNotices ? `${verified} · ${imageNotices}` : verified;
    }
    case 'failed':
      return upload.error ? readableMessage(upload, upload.error.message) : 'Failed: retry it, or cancel it';
    case 'cancelled':
      return 'Cancelled';
  }
}

/** "12.0 MiB of 40.0 MiB · 3.1 MiB/s · 0:09 left" */
export function progressText(upload: UploadSummary, speed: number | null | undefined): string {
  const parts = [`${formatBytes(upload.bytesDone)} of ${formatBytes(upload.size)}`];
  if (upload.status === 'uploading' && speed !== null && speed !== undefined) {
    parts.push(speed > 0 ? `${formatBytes(speed)}/s` : 'stalled');
    if (speed > 0) parts.push(`${formatDuration((upload.size - upload.bytesDone) / speed)} left`);
  }
  return parts.join(' · ');
}

export { statusLabel };
