import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { ToggleButton, ToggleButtonGroup, type Key } from 'react-aria-components';
import { formatBytes, formatDuration } from '../../../shared/format';
import { messageOf } from '../../api/appApi';
import { Button } from '../../components/Button';
import { EmptyState } from '../../components/EmptyState';
import { ErrorMessage } from '../../components/ErrorMessage';
import { ProgressBar } from '../../components/ProgressBar';
import { navigate, useFocusedUpload } from '../../shell/navigation';
import { useConnections } from '../../state/connections';
import { useQueueState } from '../../state/queueState';
import { etaSeconds } from '../../state/speeds';
import { useUploads } from '../../state/uploads';
import { runQueueAction, type QueueAction, type Target } from './actions';
import { CancelDialog } from './CancelDialog';
import { DetailsPanel } from './DetailsPanel';
import { actionsFor, countFor, filterIds, queueFilters, type QueueFilterId } from './filters';
import { QueueList } from './QueueList';
import { displayName } from './rowText';
import { clearSelection, selectAll, useSelection } from './selection';
import styles from './QueueView.module.css';

/** Keeps the previous array when the new one holds the same ids, so the list does not render again. */
function useStableIds(ids: string[]): string[] {
  const previous = useRef(ids);
  const old = previous.current;
  if (old !== ids && (old.length !== ids.length || old.some((id, i) => id !== ids[i]))) previous.current = ids;
  return previous.current;
}

function TotalBar() {
  const totals = useUploads((s) => s.totals);
  if (totals.count === 0) return null;
  const eta = etaSeconds(totals.size, totals.bytesDone, totals.speed);
  return (
    <div className={styles.total} data-testid="queue-total">
      <ProgressBar value={totals.bytesDone} max={totals.size} label="All unfinished uploads" />
      <span className={styles.figures}>
        {formatBytes(totals.bytesDone)} of {formatBytes(totals.size)} · {totals.count} unfinished
        {totals.speed > 0 ? ` · ${formatBytes(totals.speed)}/s` : ''}
        {eta !== null ? ` · ${formatDuration(eta)} left` : ''}
      </span>
    </div>
  );
}

/**
 * The queue: every upload with its state, progress, speed and ETA, filtered by status chips,
 * acted on one at a time, for a selection or all at once, with a details panel beside it.
 */
export function QueueView() {
  const ids = useUploads((s) => s.ids);
  // Not the summaries themselves: the list changes when statuses do, not with every byte.
  const statusVersion = useUploads((s) => s.statusVersion);
  const counts = useUploads((s) => s.counts);
  const loaded = useUploads((s) => s.loaded);
  const loadError = useUploads((s) => s.error);
  const connections = useConnections();
  const selected = useSelection((s) => s.selected);
  // "Pause all" also pauses the queue itself (nothing starts, even after a restart); only a
  // resume of all lifts that, so "Resume all" is one while the queue is paused.
  const queuePaused = useQueueState((s) => s.queue?.state === 'paused');
  const [filter, setFilter] = useState<QueueFilterId>('all');
  const [detailsId, setDetailsId] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [cancelTarget, setCancelTarget] = useState<{ what: string; target: Target } | null>(null);

  // byId is read, not subscribed to: statusVersion says when a status (what the filters look at) changed.
  const visible = useStableIds(useMemo(() => filterIds(ids, useUploads.getState().byId, filter), [ids, statusVersion, filter]));
  const selectedIds = useMemo(() => [...selected].filter((id) => useUploads.getState().byId[id]), [selected, ids]);
  const selectedCan = useMemo(() => {
    const byId = useUploads.getState().byId;
    const can = { pause: false, resume: false, retry: false, cancel: false };
    for (const id of selectedIds) {
      const a = actionsFor(byId[id]!.status);
      can.pause ||= a.pause;
      can.resume ||= a.resume;
      can.retry ||= a.retry;
      can.cancel ||= a.cancel;
    }
    return can;
  }, [selectedIds, statusVersion]);

  const act = useCallback(async (action: QueueAction, target: Target) => {
    setBusy(true);
    setError(null);
    try {
      await runQueueAction(action, target);
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  }, []);

  const onRowAction = useCallback(
    (action: QueueAction, id: string) => {
      const upload = useUploads.getState().byId[id];
      if (action === 'cancel') setCancelTarget({ what: upload ? displayName(upload) : 'this upload', target: { ids: [id] } });
      else void act(action, { ids: [id] });
    },
    [act],
  );
  const onDetails = useCallback((id: string) => setDetailsId((open) => (open === id ? null : id)), []);
  // A notification about an upload was clicked in the desktop app: its details open.
  const focused = useFocusedUpload((s) => s.uploadId);
  useEffect(() => {
    if (!focused) return;
    setDetailsId(focused);
    useFocusedUpload.setState({ uploadId: null });
  }, [focused]);

  if (!loaded && !loadError) return <p className={styles.muted}>Loading the queue…</p>;
  if (connections.loaded && connections.list.length === 0 && ids.length === 0) {
    return (
      <EmptyState title="No connection yet" action={<Button variant="primary" onPress={() => navigate('connections')}>Add a connection</Button>}>
        Quire uploads to a bucket on DigitalOcean Spaces or any S3 service. Add one in Connections first, then drop your files on Upload.
      </EmptyState>
    );
  }
  if (ids.length === 0) {
    return (
      <EmptyState title="Nothing queued" action={<Button variant="primary" onPress={() => navigate('upload')}>Go to Upload</Button>}>
        Drop files or folders on the Upload view; they appear here while they go up and until they are verified.
      </EmptyState>
    );
  }

  const allVisibleSelected = visible.length > 0 && visible.every((id) => selected.has(id));
  const failedCount = counts.failed;
  const pausedCount = counts.paused;
  const runningCount = counts.queued + counts.preparing + counts.uploading + counts.completing + counts.waiting;

  return (
    <section className={styles.view} aria-labelledby="queue-heading">
      <div className={styles.top}>
        <h2 id="queue-heading" className={styles.heading}>
          Queue
        </h2>
        <TotalBar />
        <div className={styles.bulk} role="group" aria-label="All uploads">
          <Button size="small" isDisabled={busy || runningCount === 0} onPress={() => void act('pause', { all: true })}>
            Pause all
          </Button>
          <Button size="small" isDisabled={busy || (pausedCount === 0 && !queuePaused)} onPress={() => void act('resume', queuePaused ? { all: true } : { status: ['paused'] })}>
            Resume all
          </Button>
          <Button size="small" isDisabled={busy || failedCount === 0} onPress={() => void act('retry', { status: ['failed'] })}>
            Retry all failed{failedCount > 0 ? ` (${failedCount})` : ''}
          </Button>
        </div>
      </div>

      <ToggleButtonGroup
        aria-label="Show uploads that are"
        className={styles.chips}
        selectionMode="single"
        disallowEmptySelection
        selectedKeys={[filter]}
        onSelectionChange={(keys: Set<Key>) => {
          const [key] = keys;
          if (key) setFilter(key as QueueFilterId);
        }}
      >
        {queueFilters.map((f) => {
          const count = countFor(f.id, counts, ids.length);
          return (
            <ToggleButton key={f.id} id={f.id} className={styles.chip} data-testid={`chip-${f.id}`}>
              {f.label} <span className={styles.chipCount}>{count}</span>
            </ToggleButton>
          );
        })}
      </ToggleButtonGroup>

      <div className={styles.selectionBar}>
        <label className={styles.selectAll}>
          <input
            type="checkbox"
            checked={allVisibleSelected}
            onChange={() => (allVisibleSelected ? clearSelection() : selectAll(visible))}
            aria-label={`Select all ${visible.length} shown`}
          />
          {selectedIds.length > 0 ? `${selectedIds.length} selected` : `Select all ${visible.length}`}
        </label>
        {selectedIds.length > 0 && (
          <div className={styles.bulk} role="group" aria-label="Selected uploads">
            <Button size="small" isDisabled={busy || !selectedCan.pause} onPress={() => void act('pause', { ids: selectedIds })}>
              Pause
            </Button>
            <Button size="small" isDisabled={busy || !selectedCan.resume} onPress={() => void act('resume', { ids: selectedIds })}>
              Resume
            </Button>
            <Button size="small" isDisabled={busy || !selectedCan.retry} onPress={() => void act('retry', { ids: selectedIds })}>
              Retry
            </Button>
            <Button size="small" variant="danger" isDisabled={busy || !selectedCan.cancel} onPress={() => setCancelTarget({ what: `${selectedIds.length} selected uploads`, target: { ids: selectedIds } })}>
              Cancel
            </Button>
            <Button size="small" variant="quiet" onPress={clearSelection}>
              Clear selection
            </Button>
          </div>
        )}
      </div>

      <ErrorMessage>{error ?? loadError}</ErrorMessage>

      <div className={`${styles.body} ${detailsId ? styles.withDetails : ''}`}>
        {visible.length === 0 ? (
          <p className={styles.muted}>No upload is {queueFilters.find((f) => f.id === filter)!.label.toLowerCase()} now.</p>
        ) : (
          <QueueList ids={visible} detailsId={detailsId} onAction={onRowAction} onDetails={onDetails} />
        )}
        {detailsId && <DetailsPanel id={detailsId} onClose={() => setDetailsId(null)} />}
      </div>

      <CancelDialog
        what={cancelTarget?.what ?? null}
        onClose={() => setCancelTarget(null)}
        onConfirm={() => {
          const target = cancelTarget?.target;
          setCancelTarget(null);
          if (target) void act('cancel', target).then(() => 'ids' in target && target.ids.length > 1 && clearSelection());
        }}
      />
    </section>
  );
}
