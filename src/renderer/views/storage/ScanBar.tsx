import { formatBytes } from '../../../shared/format';
import type { UsageReport } from '../../../shared/usage';
import { Button } from '../../components/Button';
import { ProgressBar } from '../../components/ProgressBar';
import { useNow } from '../../shell/useNow';
import { agoText, plural, scanProgressText } from './storageWords';
import styles from './StorageView.module.css';

/**
 * When the figures were counted and the way to count again: a scan lists the whole bucket in the
 * background, with its progress live; cancelled or cut off, it goes on from its last page.
 */
export function ScanBar({ report, busy, starting, onScan, onCancel }: { report: UsageReport; busy: boolean; starting: boolean; onScan: () => void; onCancel: () => void }) {
  const now = useNow(true, 30_000);
  const scan = report.scan;
  const method = scan?.method === 'bucket-stats' ? 'by listing the bucket, its totals taken at once from the server’s bucket statistics' : 'by listing the bucket';
  const when = report.scannedAt === null ? null : `${agoText(report.scannedAt, now)} (${new Date(report.scannedAt).toLocaleString()})`;

  if (starting && scan?.state !== 'running') {
    return (
      <div className={styles.scan} role="group" aria-label="Scan" data-testid="scan" data-state="starting">
        <p className={styles.scanText} aria-live="polite">
          <strong>Starting the scan…</strong>
        </p>
      </div>
    );
  }

  if (scan?.state === 'running') {
    return (
      <div className={styles.scan} role="group" aria-label="Scan" data-testid="scan" data-state="running">
        <p className={styles.scanText} aria-live="polite">
          <strong>Scanning…</strong> <span data-testid="scan-progress">{scanProgressText(scan)}</span>
          {scan.bytesSeen > 0 ? ` (${formatBytes(scan.bytesSeen)})` : ''}
        </p>
        <Button onPress={onCancel} isDisabled={busy}>
          Cancel scan
        </Button>
        {scan.serverTotals && scan.serverTotals.objects > 0 ? (
          <ProgressBar className={styles.scanProgress} value={Math.min(scan.objectsSeen, scan.serverTotals.objects)} max={scan.serverTotals.objects} label="Objects counted by area" />
        ) : (
          <ProgressBar className={styles.scanProgress} value={scan.unitsDone} max={scan.units} label="Prefixes listed" />
        )}
      </div>
    );
  }

  if (scan && (scan.state === 'interrupted' || scan.state === 'cancelled' || scan.state === 'failed')) {
    const counted = scan.objectsSeen > 0 ? ` after ${plural(scan.objectsSeen, 'object', 'objects')}` : '';
    const why =
      scan.state === 'interrupted' ? `The last scan stopped mid-way${counted}: Quire was closed while it ran.` : scan.state === 'cancelled' ? `The scan was cancelled${counted}.` : `The scan failed${counted}: ${scan.error ?? 'no reason given'}`;
    return (
      <div className={styles.scan} role="group" aria-label="Scan" data-testid="scan" data-state={scan.state}>
        <p className={styles.scanText}>
          <span className={styles.problem}>{why}</span> It goes on from where it stopped.{when ? ` Figures from the scan ${when}.` : ''}
        </p>
        <Button variant="primary" onPress={onScan} isDisabled={busy}>
          {scan.state === 'failed' ? 'Try again' : 'Go on with the scan'}
        </Button>
      </div>
    );
  }

  return (
    <div className={styles.scan} role="group" aria-label="Scan" data-testid="scan" data-state={scan?.state ?? 'never'}>
      <p className={styles.scanText} data-testid="scanned-at">
        {when ? (
          <>
            Scanned {when} {method}.
          </>
        ) : (
          <>
            <strong>Never scanned.</strong> A scan lists every object once (in the background) and counts it by area; Quire’s own uploads keep the figures current after.
          </>
        )}
      </p>
      <Button variant={when ? 'secondary' : 'primary'} onPress={onScan} isDisabled={busy}>
        {when ? 'Scan now' : 'Scan the bucket'}
      </Button>
    </div>
  );
}
