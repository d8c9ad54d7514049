import { useState } from 'react';
import { formatBytes } from '../../../shared/format';
import type { Orphan } from '../../../shared/orphans';
import type { Prices } from '../../../shared/usage';
import { call } from '../../api/appApi';
import { Button } from '../../components/Button';
import { ErrorMessage } from '../../components/ErrorMessage';
import { ConfirmDialog } from './ConfirmDialog';
import { useCleanupList } from './useCleanupList';
import { ageText, money, plural } from './storageWords';
import styles from './StorageView.module.css';

const DAY_MS = 24 * 3600 * 1000;
const GIB = 1024 ** 3;

/** What an unfinished upload's parts cost until Spaces deletes it, at the price per GiB-month beyond the plan. */
export function costUntilDeleted(orphan: Orphan, prices: Prices): number {
  return (orphan.size / GIB) * prices.perGiBMonth * (orphan.daysUntilProviderDeletes / 30);
}

function costText(amount: number, currency: string): string {
  return amount > 0 && amount < 0.01 ? `< ${money(0.01, currency)}` : money(amount, currency);
}

/**
 * Unfinished multipart uploads under Quire's folders that no upload of Quire's owns (a crash, a
 * replaced file, another program): each with its size, age, the days Spaces still keeps it and
 * what it costs meanwhile. Aborting asks first; those started within the day are left unless the
 * author includes them (another program may still be sending them).
 */
export function OrphansPanel({ connection, prices, onAborted }: { connection: string; prices: Prices; onAborted: () => void }) {
  const { report, loading, error, outcome, load, act } = useCleanupList(() => call('orphans.list', { connection }), connection);
  const [confirming, setConfirming] = useState(false);
  const [includeRecent, setIncludeRecent] = useState(false);
  /** The one upload the author chose to abort (from its row), or null: all of them. */
  const [one, setOne] = useState<Orphan | null>(null);

  async function abort() {
    setConfirming(false);
    await act(async () => {
      // One chosen from its row goes whatever its age: the author looked at it and confirmed.
      const result = await call('orphans.abort', one ? { connection, s3UploadIds: [one.s3UploadId], olderThanSeconds: 0 } : { connection, ...(includeRecent ? { olderThanSeconds: 0 } : {}) });
      const freed = result.aborted.reduce((sum, o) => sum + o.size, 0);
      return `Aborted ${plural(result.aborted.length, 'unfinished upload', 'unfinished uploads')} (${formatBytes(freed)} no longer billed).${result.failed.length > 0 ? ` ${result.failed.length} could not be: ${result.failed[0]!.message}` : ''}`;
    }, onAborted);
  }

  const orphans = report?.orphans ?? [];
  const recent = orphans.filter((o) => o.ageMs < DAY_MS);
  const total = orphans.reduce((sum, o) => sum + o.size, 0);
  const goingCount = includeRecent ? orphans.length : orphans.length - recent.length;

  return (
    <section className={styles.card} aria-labelledby="orphans-heading" data-testid="orphans">
      <div className={styles.cardHead}>
        <h4 id="orphans-heading" className={styles.subheading}>
          Unfinished uploads
        </h4>
        <div className={styles.actions}>
          <Button size="small" variant="quiet" onPress={() => void load()} isDisabled={loading}>
            {loading ? 'Looking…' : 'Look again'}
          </Button>
          {orphans.length > 0 && (
            <Button
              size="small"
              variant="danger"
              isDisabled={loading}
              onPress={() => {
                setOne(null);
                setIncludeRecent(recent.length === orphans.length);
                setConfirming(true);
              }}
            >
              Abort all {orphans.length}…
            </Button>
          )}
        </div>
      </div>
      <p className={styles.muted}>
        Uploads started in the bucket and never finished (a crash, a replaced file, another program). Spaces bills their parts until they are aborted, and deletes them after 30 days. Quire’s own uploads under way are not listed.
      </p>
      <ErrorMessage>{error}</ErrorMessage>
      {outcome && (
        <p className={styles.done} role="status">
          {outcome} The usage figures change at the next scan.
        </p>
      )}
      {report && orphans.length === 0 && <p data-testid="orphans-none">None: nothing unfinished under Quire’s folders.</p>}
      {orphans.length > 0 && (
        <>
          <p data-testid="orphans-summary">
            <strong>{plural(orphans.length, 'unfinished upload', 'unfinished uploads')}</strong> holding {formatBytes(total)}.
          </p>
          <table className={styles.cleanupList} aria-label="Unfinished uploads">
            <thead>
              <tr>
                <th scope="col">Object</th>
                <th scope="col">Size</th>
                <th scope="col">Started</th>
                <th scope="col">Spaces deletes it</th>
                <th scope="col">Costs meanwhile</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {orphans.map((orphan) => (
                <tr key={orphan.s3UploadId} data-testid="orphan-row">
                  <td className={styles.key}>{orphan.key}</td>
                  <td data-testid="orphan-size">
                    {formatBytes(orphan.size)} ({plural(orphan.parts, 'part', 'parts')})
                  </td>
                  <td title={new Date(orphan.initiated).toLocaleString()}>{ageText(orphan.ageMs)} ago</td>
                  <td data-testid="orphan-days-left">{orphan.daysUntilProviderDeletes === 0 ? 'any day now' : `in ${plural(orphan.daysUntilProviderDeletes, 'day', 'days')}`}</td>
                  <td>{costText(costUntilDeleted(orphan, prices), prices.currency)}</td>
                  <td>
                    <Button
                      size="small"
                      variant="quiet"
                      aria-label={`Abort the unfinished upload of ${orphan.key}`}
                      isDisabled={loading}
                      onPress={() => {
                        setOne(orphan);
                        setConfirming(true);
                      }}
                    >
                      Abort…
                    </Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      <ConfirmDialog
        isOpen={confirming}
        title={one ? `Abort the unfinished upload of ${one.key}?` : `Abort ${plural(goingCount, 'unfinished upload', 'unfinished uploads')}?`}
        confirm={one ? 'Abort it' : goingCount === 0 ? 'Abort none' : `Abort ${goingCount}`}
        onConfirm={() => void abort()}
        onClose={() => setConfirming(false)}
      >
        <p>Their parts are deleted from the bucket and are no longer billed. The files on your computer are not touched; an upload aborted here starts again from the beginning if it is sent again.</p>
        {one && one.ageMs < DAY_MS && <p>It was started within the last day: another program may still be sending it.</p>}
        {!one && recent.length > 0 && (
          <label className={styles.choice}>
            <input type="checkbox" checked={includeRecent} onChange={(event) => setIncludeRecent(event.target.checked)} />
            Also the {recent.length === 1 ? 'one' : recent.length.toLocaleString('en-US')} started within the last day (another program may still be sending {recent.length === 1 ? 'it' : 'them'})
          </label>
        )}
      </ConfirmDialog>
    </section>
  );
}
