import { memo } from 'react';
import { ColorSwatch } from '../../components/ColorSwatch';
import { authorsFile, canUploadAsIs, setSummaryText } from '../../components/imageWords';
import { StatusChip, toneOf } from '../../components/StatusChip';
import { connectionById, useConnections } from '../../state/connections';
import { useUploads } from '../../state/uploads';
import { useNow } from '../../shell/useNow';
import { actionsFor } from './filters';
import type { QueueAction } from './actions';
import { displayName, progressText, statusDetail, statusLabel } from './rowText';
import { toggleRow, useSelection } from './selection';
import styles from './QueueView.module.css';

export interface QueueRowProps {
  id: string;
  index: number;
  setSize: number;
  top: number;
  height: number;
  detailsOpen: boolean;
  visibleIds: () => string[];
  onAction: (action: QueueAction, id: string) => void;
  onDetails: (id: string) => void;
}

/**
 * One upload in the queue. It subscribes to its own summary, speed and tick box only, so the
 * hundred rows that move ten times a second re-render themselves and nothing else. Native
 * controls, not react-aria's: they cost less in a list that scrolls through thousands of rows.
 */
export const QueueRow = memo(function QueueRow({ id, index, setSize, top, height, detailsOpen, visibleIds, onAction, onDetails }: QueueRowProps) {
  const upload = useUploads((s) => s.byId[id]);
  const notice = useUploads((s) => s.notices[id]);
  const speed = useUploads((s) => s.speeds[id]);
  const selected = useSelection((s) => s.selected.has(id));
  const connectionName = useConnections((s) => (upload ? connectionById(s.list, upload.connectionId)?.name : undefined));
  const now = useNow(upload?.status === 'waiting');
  if (!upload) return null;

  const name = displayName(upload);
  const detail = statusDetail(upload, notice, now);
  const can = actionsFor(upload.status);
  const asIs = canUploadAsIs(upload);
  const set = upload.imageSet ? setSummaryText(upload.imageSet) : null;
  const rowClass = [styles.row, selected && styles.rowSelected, detailsOpen && styles.rowOpen, upload.status === 'failed' && styles.rowFailed].filter(Boolean).join(' ');

  return (
    <div
      role="listitem"
      aria-posinset={index + 1}
      aria-setsize={setSize}
      className={rowClass}
      // Positioned by the virtualizer: a CSSOM property, which the CSP allows (no style attribute text).
      style={{ transform: `translateY(${top}px)`, height }}
      data-testid="queue-row"
      data-status={upload.status}
      data-upload-id={upload.id}
    >
      <input
        type="checkbox"
        className={styles.check}
        aria-label={`Select ${name}`}
        checked={selected}
        onChange={() => {}}
        onClick={(event) => toggleRow(id, event.shiftKey, visibleIds())}
      />
      <div className={styles.name} title={upload.objectKey}>
        {name}
      </div>
      {/* A set's member shows the author's file, never the cache file it is sent from. */}
      <div className={styles.sub} title={authorsFile(upload)}>
        {connectionName ? `${connectionName} · ` : ''}
        {upload.objectKey}
      </div>
      <div className={styles.status}>
        <StatusChip tone={toneOf(upload.status)}>{statusLabel(upload.status)}</StatusChip>
        {set && (
          <span className={styles.set} title={set} data-testid="row-set">
            <ColorSwatch color={upload.imageSet?.dominantColor} />
            <span className={styles.setText}>{set}</span>
          </span>
        )}
        <span className={upload.status === 'failed' ? styles.detailDanger : styles.detail} title={detail} data-testid="row-detail">
          {detail}
        </span>
      </div>
      <div className={styles.progress}>
        <progress value={upload.size > 0 ? upload.bytesDone : upload.status === 'verified' ? 1 : 0} max={upload.size > 0 ? upload.size : 1} aria-label={`${name} progress`} />
        <span className={styles.figures}>{progressText(upload, speed)}</span>
      </div>
      <div className={styles.actions}>
        {can.pause && (
          <button type="button" className={styles.action} onClick={() => onAction('pause', id)} aria-label={`Pause ${name}`}>
            Pause
          </button>
        )}
        {can.resume && (
          <button type="button" className={styles.action} onClick={() => onAction('resume', id)} aria-label={`Resume ${name}`}>
            Resume
          </button>
        )}
        {can.retry && (
          <button type="button" className={styles.action} onClick={() => onAction('retry', id)} aria-label={`Retry ${name}`}>
            Retry
          </button>
        )}
        {asIs && (
          <button type="button" className={styles.action} onClick={() => onAction('asIs', id)} aria-label={`Upload as is: ${name}`}>
            Upload as is
          </button>
        )}
        {can.cancel && (
          <button type="button" className={`${styles.action} ${styles.actionDanger}`} onClick={() => onAction('cancel', id)} aria-label={`Cancel ${name}`}>
            Cancel
          </button>
        )}
        <button type="button" className={styles.action} aria-pressed={detailsOpen} onClick={() => onDetails(id)} aria-label={`Details of ${name}`}>
          Details
        </button>
      </div>
    </div>
  );
});
