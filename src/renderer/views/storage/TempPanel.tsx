import { useState } from 'react';
import { formatBytes } from '../../../shared/format';
import { call } from '../../api/appApi';
import { Button } from '../../components/Button';
import { ErrorMessage } from '../../components/ErrorMessage';
import { ConfirmDialog } from './ConfirmDialog';
import { useCleanupList } from './useCleanupList';
import { ageText, plural } from './storageWords';
import styles from './StorageView.module.css';

/**
 * Objects under temp/ over a day old: listed, and removed together by one confirmed action. The
 * engine checks each again before it goes (still under temp/, still over a day old), and says
 * which it kept and why.
 */
export function TempPanel({ connection, onRemoved }: { connection: string; onRemoved: () => void }) {
  const { report, loading, error, outcome, load, act } = useCleanupList(() => call('temp.list', { connection }), connection);
  const [confirming, setConfirming] = useState(false);

  async function remove() {
    if (!report || report.objects.length === 0) return;
    setConfirming(false);
    const keys = report.objects.map((o) => o.key);
    await act(async () => {
      const result = await call('temp.remove', { connection, keys });
      const kept = result.kept.length > 0 ? ` Kept ${result.kept.length}: ${result.kept[0]!.key} (${result.kept[0]!.reason})${result.kept.length > 1 ? ' and others' : ''}.` : '';
      return `Removed ${plural(result.removed.length, 'temporary file', 'temporary files')}.${kept}`;
    }, onRemoved);
  }

  const objects = report?.objects ?? [];
  const now = Date.now();
  return (
    <section className={styles.card} aria-labelledby="temp-heading" data-testid="temp">
      <div className={styles.cardHead}>
        <h4 id="temp-heading" className={styles.subheading}>
          Temporary files over a day old
        </h4>
        <div className={styles.actions}>
          <Button size="small" variant="quiet" onPress={() => void load()} isDisabled={loading}>
            {loading ? 'Looking…' : 'Look again'}
          </Button>
          {objects.length > 0 && (
            <Button size="small" variant="danger" isDisabled={loading} onPress={() => setConfirming(true)}>
              Remove all {objects.length}…
            </Button>
          )}
        </div>
      </div>
      <p className={styles.muted}>Objects under temp/ older than 24 hours. Nothing is removed until you confirm, and each is checked again just before.</p>
      <ErrorMessage>{error}</ErrorMessage>
      {outcome && (
        <p className={styles.done} role="status">
          {outcome}
        </p>
      )}
      {report && objects.length === 0 && <p data-testid="temp-none">None: nothing under temp/ is over a day old.</p>}
      {report && objects.length > 0 && (
        <>
          <p data-testid="temp-summary">
            <strong>{plural(objects.length, 'temporary file', 'temporary files')}</strong> holding {formatBytes(report.bytes)}.
          </p>
          <table className={styles.cleanupList} aria-label="Temporary files over a day old">
            <thead>
              <tr>
                <th scope="col">Object</th>
                <th scope="col">Size</th>
                <th scope="col">Last changed</th>
              </tr>
            </thead>
            <tbody>
              {objects.map((object) => (
                <tr key={object.key} data-testid="temp-row">
                  <td className={styles.key}>{object.key}</td>
                  <td>{formatBytes(object.size)}</td>
                  <td title={new Date(object.lastModified).toLocaleString()}>{ageText(now - object.lastModified)} ago</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      <ConfirmDialog
        isOpen={confirming}
        title={`Remove ${plural(objects.length, 'temporary file', 'temporary files')}?`}
        confirm={`Remove ${objects.length}`}
        onConfirm={() => void remove()}
        onClose={() => setConfirming(false)}
      >
        <p>
          {formatBytes(report?.bytes ?? 0)} under temp/ are deleted from the bucket. They cannot be brought back. Nothing outside temp/ is touched.
        </p>
      </ConfirmDialog>
    </section>
  );
}
