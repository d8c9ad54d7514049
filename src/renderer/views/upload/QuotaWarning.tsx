import { formatBytes } from '../../../shared/format';
import type { BatchQuota } from '../../../shared/upload';
import { Button } from '../../components/Button';
import { percentText, quotaStateLabel } from '../../components/quotaWords';
import { navigate } from '../../shell/navigation';
import styles from './UploadView.module.css';

/**
 * Said before anything is sent, when the files would take the connection's storage above 80% of
 * its quota (or past it): how much would be stored, and by how much it would be over. Sending
 * stays allowed: the author decides, the quota is theirs.
 */
export function QuotaWarning({ quota }: { quota: BatchQuota | null }) {
  if (!quota || quota.stateAfter === 'normal') return null;
  const after = quota.usedBytes + quota.addedBytes;
  return (
    <div className={`${styles.quotaWarning} ${styles[`quota-${quota.stateAfter}`]}`} role="status" data-testid="quota-warning" data-state={quota.stateAfter}>
      <p className={styles.quotaWarningText}>
        <strong className={styles.quotaWarningState}>{quotaStateLabel[quota.stateAfter]}</strong>{' '}
        <span data-testid="quota-warning-figures">
          With these files: {formatBytes(after)} of {formatBytes(quota.quotaBytes)} ({percentText(after, quota.quotaBytes)})
        </span>
        {quota.overByBytes > 0 && (
          <>
            {' '}
            — <strong data-testid="quota-warning-over">over quota by {formatBytes(quota.overByBytes)}</strong>
          </>
        )}
        .
      </p>
      <p className={styles.muted}>
        {quota.overByBytes > 0 ? 'You can still send them; your provider bills storage beyond the plan.' : 'You can still send them.'} The quota is set in Storage.
      </p>
      <Button size="small" variant="quiet" onPress={() => navigate('storage')}>
        Open Storage
      </Button>
    </div>
  );
}
