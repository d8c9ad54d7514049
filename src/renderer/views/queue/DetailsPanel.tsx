import { useEffect, useRef, useState } from 'react';
import { formatBytes } from '../../../shared/format';
import type { ImageSetSummary, UploadDetails } from '../../../shared/upload';
import { call, messageOf } from '../../api/appApi';
import { Button } from '../../components/Button';
import { ColorSwatch } from '../../components/ColorSwatch';
import { ErrorMessage } from '../../components/ErrorMessage';
import { authorsFile, formatName, readableMessage, setSummaryText } from '../../components/imageWords';
import { StatusChip, statusLabel, toneOf } from '../../components/StatusChip';
import { connectionById, useConnections } from '../../state/connections';
import { useUploads } from '../../state/uploads';
import { displayName } from './rowText';
import styles from './DetailsPanel.module.css';

/** Asked again at most this often while the upload moves. */
const REFRESH_MS = 1000;

/**
 * One upload up close: parts done of the part count, the server's UploadId, attempts, and every
 * S3 request made for it (newest first). It is asked again while the upload moves.
 */
export function DetailsPanel({ id, onClose }: { id: string; onClose: () => void }) {
  const summary = useUploads((s) => s.byId[id]);
  const connection = useConnections((s) => (summary ? connectionById(s.list, summary.connectionId) : undefined));
  const [details, setDetails] = useState<UploadDetails | null>(null);
  const [error, setError] = useState<string | null>(null);
  const lastFetch = useRef(0);
  const headingRef = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    setDetails(null);
    lastFetch.current = 0;
    headingRef.current?.focus();
  }, [id]);

  useEffect(() => {
    let cancelled = false;
    const wait = Math.max(0, lastFetch.current + REFRESH_MS - Date.now());
    const timer = setTimeout(() => {
      lastFetch.current = Date.now();
      call('uploads.details', { id }).then(
        (value) => !cancelled && (setDetails(value), setError(null)),
        (e) => !cancelled && setError(messageOf(e)),
      );
    }, wait);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [id, summary]);

  // The store's summary is the freshest (events); the details' own is there if the store has none.
  const upload = summary ?? details?.upload;
  return (
    <aside className={styles.panel} aria-labelledby="details-heading" data-testid="details-panel" onKeyDown={(e) => e.key === 'Escape' && onClose()}>
      <div className={styles.head}>
        <h2 id="details-heading" className={styles.title} tabIndex={-1} ref={headingRef}>
          {upload ? displayName(upload) : 'Upload'}
        </h2>
        <Button size="small" variant="quiet" onPress={onClose} aria-label="Close details">
          Close
        </Button>
      </div>
      <ErrorMessage>{error}</ErrorMessage>
      {upload && (
        <dl className={styles.facts}>
          <dt>Status</dt>
          <dd>
            <StatusChip tone={toneOf(upload.status)}>{statusLabel(upload.status)}</StatusChip>
          </dd>
          <dt>Key</dt>
          <dd className={styles.mono}>{upload.objectKey}</dd>
          {/* A variant is sent from Quire's image cache: the author is shown the file it was made from. */}
          <dt>{upload.image && upload.image.variant !== 'original' ? 'Made from' : 'File'}</dt>
          <dd className={styles.mono}>{authorsFile(upload)}</dd>
          {upload.imageSet && (
            <>
              <dt>Web set</dt>
              <dd data-testid="details-set">
                <ColorSwatch color={upload.imageSet.dominantColor} /> {setDetailsText(upload.imageSet)}
              </dd>
              {upload.imageSet.notices.length > 0 && (
                <>
                  <dt>Image notes</dt>
                  <dd>{upload.imageSet.notices.join('; ')}</dd>
                </>
              )}
            </>
          )}
          {upload.optimize && (
            <>
              <dt>Web set</dt>
              <dd>Made before it uploads</dd>
            </>
          )}
          <dt>Connection</dt>
          <dd>{connection ? `${connection.name} (${connection.bucket})` : upload.connectionId}</dd>
          <dt>Size</dt>
          <dd>
            {formatBytes(upload.bytesDone)} of {formatBytes(upload.size)} · {upload.method === 'multipart' ? 'multipart' : 'one request'}
          </dd>
          {details && details.partCount !== null && (
            <>
              <dt>Parts</dt>
              <dd data-testid="details-parts">
                {details.partsDone} of {details.partCount} done{details.partSize ? ` (${formatBytes(details.partSize)} each)` : ''}
              </dd>
            </>
          )}
          {details?.serverUploadId && (
            <>
              <dt>Server UploadId</dt>
              <dd className={styles.mono} data-testid="details-upload-id">
                {details.serverUploadId}
              </dd>
            </>
          )}
          <dt>Attempts</dt>
          <dd>{upload.attempts}</dd>
          {upload.error && (
            <>
              <dt>Last error</dt>
              <dd className={styles.danger}>{readableMessage(upload, upload.error.message)}</dd>
            </>
          )}
          {upload.notice && (
            <>
              <dt>Note</dt>
              <dd>{readableMessage(upload, upload.notice)}</dd>
            </>
          )}
          {upload.sha256 && (
            <>
              <dt>SHA-256</dt>
              <dd className={styles.mono}>{upload.sha256}</dd>
            </>
          )}
          {upload.etag && (
            <>
              <dt>ETag</dt>
              <dd className={styles.mono}>{upload.etag}</dd>
            </>
          )}
        </dl>
      )}
      <h3 className={styles.logTitle}>Requests</h3>
      {!details ? (
        <p className={styles.muted}>Loading…</p>
      ) : details.log.length === 0 ? (
        <p className={styles.muted}>No request has been made for this upload yet.</p>
      ) : (
        <div className={styles.logWrap}>
          <table className={styles.log} data-testid="details-log">
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Request</th>
                <th scope="col">HTTP</th>
                <th scope="col">Sent</th>
                <th scope="col">Took</th>
              </tr>
            </thead>
            <tbody>
              {details.log.map((entry, i) => (
                <tr key={i} className={entry.success || isKeyFree(entry) ? undefined : styles.failedEntry}>
                  <td>{new Date(entry.at).toLocaleTimeString()}</td>
                  <td>
                    {entry.operation.replace(/_/g, ' ')}
                    {isKeyFree(entry) ? ' (the key is free)' : entry.errorCode ? ` (${entry.errorCode})` : ''}
                  </td>
                  <td>{entry.httpStatus ?? '—'}</td>
                  <td>{formatBytes(entry.bytesSent)}</td>
                  <td>{entry.durationMs} ms</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </aside>
  );
}

/** "web set: 6 images, 81% smaller · WebP · 1200×1600 · 24.0 MiB before, 4.5 MiB after" and how it was made. */
function setDetailsText(set: ImageSetSummary): string {
  const parts = [setSummaryText(set), formatName(set.format), `${set.width}×${set.height}`, `${formatBytes(set.bytesBefore)} before, ${formatBytes(set.bytesAfter)} after`];
  if (set.cacheHit) parts.push('made before, taken from the cache');
  if (!set.originalKept) parts.push('the original itself is not uploaded');
  return parts.join(' · ');
}

/** A HEAD answered 404 before sending: the key is free, which is what Quire hoped, not a failure. */
function isKeyFree(entry: UploadDetails['log'][number]): boolean {
  return entry.operation === 'head' && entry.httpStatus === 404;
}
