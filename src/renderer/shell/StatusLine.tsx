import { formatBytes, formatDuration } from '../../shared/format';
import { Button } from '../components/Button';
import { ProgressBar } from '../components/ProgressBar';
import { useConnections } from '../state/connections';
import { useQueueState } from '../state/queueState';
import { useTransport } from '../state/transport';
import { useUploads } from '../state/uploads';
import { etaSeconds } from '../state/speeds';
import { queueSentence } from './queueSentence';
import { useNow } from './useNow';
import styles from './StatusLine.module.css';

/**
 * The line at the foot of every view: can Quire be reached, what the queue is doing (online,
 * waiting offline for an endpoint, halted, paused, another process drives it, idle) and how far
 * the unfinished uploads have come. The sentence is a live region; the moving figures are not,
 * or a screen reader would read them ten times a second.
 */
export function StatusLine() {
  const transport = useTransport();
  const queue = useQueueState((s) => s.queue);
  const totals = useUploads((s) => s.totals);
  const refused = useConnections((s) => s.refused);
  const dismissRefused = useConnections((s) => s.dismissRefused);
  const counting = transport.status !== 'open' || (queue?.offline.length ?? 0) > 0;
  const now = useNow(counting);
  const sentence = queueSentence(transport, queue, now);
  const eta = etaSeconds(totals.size, totals.bytesDone, totals.speed);

  return (
    <footer className={styles.line} aria-label="Status">
      <div className={styles.state} role="status" data-testid="queue-status">
        <span className={`${styles.dot} ${styles[sentence.tone] ?? ''}`} aria-hidden="true" />
        <span>{sentence.text}</span>
      </div>
      {totals.count > 0 && (
        <div className={styles.progress} data-testid="overall-progress">
          <ProgressBar value={totals.bytesDone} max={totals.size} label="All unfinished uploads" />
          <span className={styles.figures}>
            {formatBytes(totals.bytesDone)} of {formatBytes(totals.size)} · {totals.count} {totals.count === 1 ? 'upload' : 'uploads'}
            {totals.speed > 0 ? ` · ${formatBytes(totals.speed)}/s` : ''}
            {eta !== null ? ` · ${formatDuration(eta)} left` : ''}
          </span>
        </div>
      )}
      {refused && (
        <div className={styles.refused} role="alert">
          <span>
            {refused.connection}: {refused.error.message}
          </span>
          <Button size="small" variant="quiet" onPress={dismissRefused}>
            Dismiss
          </Button>
        </div>
      )}
    </footer>
  );
}
