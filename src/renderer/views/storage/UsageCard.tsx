import { formatBytes } from '../../../shared/format';
import type { UsageReport } from '../../../shared/usage';
import { Button } from '../../components/Button';
import { InlineBar } from '../../components/InlineBar';
import { areaName, areaPrefix, plural, sortedAreas } from './storageWords';
import styles from './StorageView.module.css';

/**
 * What the bucket holds: the totals, then each area of the layout as a row, largest first, with
 * its share as a bar (bytes, and objects in a quieter bar), and the unfinished uploads Spaces bills.
 */
export function UsageCard({ report, onShowCleanup }: { report: UsageReport; onShowCleanup: () => void }) {
  const { shown, empty } = sortedAreas(report.areas);
  const maxBytes = Math.max(0, ...shown.map((a) => a.bytes));
  const maxObjects = Math.max(0, ...shown.map((a) => a.objects));
  return (
    <section className={styles.card} aria-labelledby="usage-heading" data-testid="usage">
      <div className={styles.cardHead}>
        <h3 id="usage-heading" className={styles.subheading}>
          What the bucket holds
        </h3>
        {report.totalsFrom === 'bucket-stats' ? (
          <span className={styles.muted} data-testid="totals-from">
            totals counted by the server (exact);{' '}
            {report.scannedAt === null ? 'the areas follow when the scan ends' : 'the areas below are the last full scan’s until this one ends'}
          </span>
        ) : (
          report.sinceScan.objects > 0 && (
            <span className={styles.muted} data-testid="since-scan">
              incl. {plural(report.sinceScan.objects, 'upload', 'uploads')} ({formatBytes(report.sinceScan.bytes)}) since the scan
            </span>
          )
        )}
      </div>
      <dl className={styles.totals}>
        <div>
          <dt>Objects</dt>
          <dd data-testid="total-objects">{report.totals.objects.toLocaleString('en-US')}</dd>
        </div>
        <div>
          <dt>Stored</dt>
          <dd data-testid="total-bytes" title={`${report.totals.bytes.toLocaleString('en-US')} bytes`}>
            {formatBytes(report.totals.bytes)}
          </dd>
        </div>
      </dl>

      {shown.length > 0 ? (
        <table className={styles.areas} aria-label="By area of the bucket">
          <thead>
            <tr>
              <th scope="col">Area</th>
              <th scope="col" className={styles.number}>
                Objects
              </th>
              <th scope="col" className={styles.number}>
                Size
              </th>
              <th scope="col" className={styles.barCell}>
                Share: size · objects
              </th>
            </tr>
          </thead>
          <tbody>
            {shown.map((area) => (
              <tr key={area.area} data-testid="area-row" data-area={area.area}>
                <th scope="row" className={styles.areaName}>
                  {areaName(area.area)}
                  <span className={styles.prefix}>{areaPrefix(area.area)}</span>
                </th>
                <td className={styles.number} data-testid="area-objects">
                  {area.objects.toLocaleString('en-US')}
                </td>
                <td className={styles.number} data-testid="area-bytes" data-bytes={area.bytes} title={`${area.bytes.toLocaleString('en-US')} bytes`}>
                  {formatBytes(area.bytes)}
                </td>
                <td className={styles.barCell}>
                  <InlineBar value={area.bytes} max={maxBytes} />
                  <InlineBar value={area.objects} max={maxObjects} tone="muted" />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className={styles.muted}>{report.scannedAt === null ? 'Scan the bucket to see what each area holds.' : 'The bucket is empty.'}</p>
      )}
      {shown.length > 0 && empty.length > 0 && <p className={styles.muted}>Empty: {empty.map((a) => areaName(a.area).toLowerCase()).join(', ')}.</p>}

      {report.unfinished.uploads > 0 && (
        <p className={styles.unfinished} data-testid="unfinished">
          <span>
            <strong>{plural(report.unfinished.uploads, 'unfinished upload', 'unfinished uploads')}</strong> hold {formatBytes(report.unfinished.bytes)}: Spaces bills their parts until they are aborted.
          </span>
          <Button size="small" onPress={onShowCleanup}>
            Review in Cleanup
          </Button>
        </p>
      )}
    </section>
  );
}
