import { useEffect, useRef, useState } from 'react';
import { Button } from '../../components/Button';
import { EmptyState } from '../../components/EmptyState';
import { ErrorMessage } from '../../components/ErrorMessage';
import { SelectField } from '../../components/SelectField';
import { navigate } from '../../shell/navigation';
import { useConnections } from '../../state/connections';
import { CostCard } from './CostCard';
import { OrphansPanel } from './OrphansPanel';
import { QuotaCard } from './QuotaCard';
import { ScanBar } from './ScanBar';
import { TempPanel } from './TempPanel';
import { UsageCard } from './UsageCard';
import { useUsage } from './useUsage';
import styles from './StorageView.module.css';

/** While a scan runs in another process (the CLI), its events do not reach this page: it looks this often. */
const RUNNING_POLL_MS = 3_000;

/** The egress an author assumes, per connection, kept in this browser (the engine takes it per request). */
function savedEgress(connectionId: string | undefined): string {
  if (!connectionId) return '0';
  try {
    return window.localStorage.getItem(`quire.egressGiB.${connectionId}`) ?? '0';
  } catch {
    return '0';
  }
}

function saveEgress(connectionId: string | undefined, text: string): void {
  if (!connectionId) return;
  try {
    window.localStorage.setItem(`quire.egressGiB.${connectionId}`, text);
  } catch {
    // private mode: the assumption lasts as long as the page
  }
}

/**
 * Storage: per connection, what its bucket holds by area (a background scan, kept current by
 * Quire's uploads), the quota and its state, the month's cost with what it assumes, and the
 * cleanup of what Spaces bills for nothing (unfinished uploads, old temporary files).
 */
export function StorageView() {
  const connections = useConnections((s) => s.list);
  const loaded = useConnections((s) => s.loaded);
  const [chosen, setChosen] = useState<string | undefined>();
  const connection = connections.find((c) => c.name === chosen) ?? connections.find((c) => c.isDefault) ?? connections[0];
  const [egress, setEgress] = useState(() => savedEgress(connection?.id));
  const egressNumber = Number(egress);
  const usage = useUsage(connection?.name, Number.isFinite(egressNumber) && egressNumber >= 0 ? egressNumber : 0);
  const cleanup = useRef<HTMLHeadingElement>(null);
  const { report } = usage;
  const running = report?.scan?.state === 'running';
  const reload = usage.reload;

  useEffect(() => setEgress(savedEgress(connection?.id)), [connection?.id]);

  useEffect(() => {
    if (!running) return;
    const timer = setInterval(reload, RUNNING_POLL_MS);
    return () => clearInterval(timer);
  }, [running, reload]);

  if (loaded && connections.length === 0) {
    return (
      <EmptyState title="No connection yet" action={<Button variant="primary" onPress={() => navigate('connections')}>Add a connection</Button>}>
        What each bucket holds, its quota and what it costs are shown here. Add a connection to your bucket first.
      </EmptyState>
    );
  }

  return (
    <section className={styles.view} aria-labelledby="storage-heading">
      <div className={styles.header}>
        <h2 id="storage-heading" className={styles.heading}>
          Storage
        </h2>
        {connections.length > 1 && (
          <SelectField label="Connection" value={connection?.name ?? ''} options={connections.map((c) => ({ value: c.name, label: `${c.name} (${c.bucket})` }))} onChange={setChosen} className={styles.picker} isSmall />
        )}
        {connections.length === 1 && connection && (
          <p className={styles.muted}>
            {connection.name} · bucket {connection.bucket}
          </p>
        )}
        {report && <ScanBar report={report} busy={usage.busy} starting={usage.starting} onScan={() => void usage.scan()} onCancel={() => void usage.cancelScan()} />}
      </div>
      <ErrorMessage>{usage.error}</ErrorMessage>
      {!report && !usage.error && <p className={styles.muted}>Reading the figures…</p>}

      {report && connection && (
        <>
          <div className={styles.columns}>
            <div className={styles.column}>
              <UsageCard
                report={report}
                onShowCleanup={() => {
                  cleanup.current?.scrollIntoView({ behavior: 'smooth', block: 'start' });
                  cleanup.current?.focus();
                }}
              />
            </div>
            <div className={styles.column}>
              <QuotaCard report={report} busy={usage.busy} onSave={(quotaBytes) => usage.setQuota({ quotaBytes })} />
              <CostCard
                report={report}
                egress={egress}
                onEgress={(text) => {
                  setEgress(text);
                  saveEgress(connection.id, text);
                }}
                onSavePrices={(prices) => usage.setQuota({ prices })}
                busy={usage.busy}
              />
            </div>
          </div>

          <section className={styles.column} aria-labelledby="cleanup-heading">
            <h3 id="cleanup-heading" ref={cleanup} tabIndex={-1} className={styles.subheading}>
              Cleanup
            </h3>
            <OrphansPanel connection={connection.name} prices={report.cost.prices} onAborted={reload} />
            <TempPanel connection={connection.name} onRemoved={reload} />
          </section>
        </>
      )}
    </section>
  );
}
