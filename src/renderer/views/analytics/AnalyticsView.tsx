import { useMemo, useState } from 'react';
import { analyticsTables, type AnalyticsBucket, type AnalyticsReport, type AnalyticsTableName } from '../../../shared/analytics';
import { formatBytes } from '../../../shared/format';
import { Button } from '../../components/Button';
import { EmptyState } from '../../components/EmptyState';
import { ErrorMessage } from '../../components/ErrorMessage';
import { SelectField } from '../../components/SelectField';
import { navigate } from '../../shell/navigation';
import { useConnections } from '../../state/connections';
import { count, downloadCsv, percent, rangeInput, ranges, rate, type RangeChoice } from './analyticsWords';
import { CategoriesCard, FailuresCard, ReportTable, RequestsCard } from './BreakdownCards';
import { UploadsCard } from './UploadsCard';
import { useAnalytics } from './useAnalytics';
import styles from './Analytics.module.css';

/** The range's first and last day (UTC), for the heading and the CSV files' names. */
function rangeDays(report: AnalyticsReport): { from: string | null; to: string } {
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  return { from: report.range.since === null ? null : day(report.range.since), to: day(report.range.until - 1) };
}

/**
 * Analytics: how the author's uploads went over a range of whole days (UTC), per connection or
 * all: uploads and bytes per day or week by content type (a uPlot chart), success rates,
 * throughput, retries and their reasons, resumes and what they spared, image savings, failures
 * with what to do, the slowest requests. Every chart has a table view; every table goes out as
 * CSV, built here from the report by the same code as `quire stats --csv`.
 */
export function AnalyticsView() {
  const connections = useConnections((s) => s.list);
  const loaded = useConnections((s) => s.loaded);
  // The range is fixed when chosen (its "now" with it), so the report is asked once per choice.
  const [{ range, now }, setRangeChoice] = useState<{ range: RangeChoice; now: number }>(() => ({ range: '30', now: Date.now() }));
  const setRange = (next: RangeChoice) => setRangeChoice({ range: next, now: Date.now() });
  const [bucket, setBucket] = useState<AnalyticsBucket>('day');
  const [connection, setConnection] = useState('');
  const [exportTable, setExportTable] = useState<AnalyticsTableName>('summary');
  const input = useMemo(() => ({ ...rangeInput(range, now), bucket, ...(connection ? { connection } : {}) }), [range, now, bucket, connection]);
  const { report, error, loading } = useAnalytics(input);
  const tables = useMemo(() => (report ? analyticsTables(report) : []), [report]);

  if (loaded && connections.length === 0) {
    return (
      <EmptyState title="No connection yet" action={<Button variant="primary" onPress={() => navigate('connections')}>Add a connection</Button>}>
        How your uploads go is shown here once there are some. Add a connection to your bucket first.
      </EmptyState>
    );
  }

  const days = report ? rangeDays(report) : null;
  const fileStem = days ? `quire-stats-${days.from ?? 'start'}-to-${days.to}` : 'quire-stats';
  return (
    <section className={styles.view} aria-labelledby="analytics-heading" aria-busy={loading}>
      <div className={styles.header}>
        <h2 id="analytics-heading" className={styles.heading}>
          Analytics
        </h2>
        <div className={styles.control}>
          <span className={styles.controlLabel} id="range-label">
            Range
          </span>
          <div className={styles.segmented} role="group" aria-labelledby="range-label">
            {ranges.map((r) => (
              <button key={r.value} type="button" aria-pressed={range === r.value} onClick={() => setRange(r.value)}>
                {r.label}
              </button>
            ))}
          </div>
        </div>
        <div className={styles.control}>
          <span className={styles.controlLabel} id="bars-label">
            Bars
          </span>
          <div className={styles.segmented} role="group" aria-labelledby="bars-label">
            <button type="button" aria-pressed={bucket === 'day'} onClick={() => setBucket('day')}>
              Per day
            </button>
            <button type="button" aria-pressed={bucket === 'week'} onClick={() => setBucket('week')}>
              Per week
            </button>
          </div>
        </div>
        {connections.length > 1 && (
          <SelectField label="Connection" value={connection} options={[{ value: '', label: 'All connections' }, ...connections.map((c) => ({ value: c.name, label: c.name }))]} onChange={setConnection} isSmall />
        )}
        <div className={styles.exportControl}>
          <label className={styles.control}>
            <span className={styles.controlLabel}>Export</span>
            <select className={styles.select} value={exportTable} onChange={(event) => setExportTable(event.target.value as AnalyticsTableName)}>
              {tables.map((t) => (
                <option key={t.name} value={t.name}>
                  {t.title}
                </option>
              ))}
            </select>
          </label>
          <Button
            isDisabled={!report}
            onPress={() => {
              const table = tables.find((t) => t.name === exportTable);
              if (table) downloadCsv(table, fileStem);
            }}
          >
            Download CSV
          </Button>
        </div>
      </div>
      <ErrorMessage>{error}</ErrorMessage>
      {!report && !error && <p className={styles.muted}>Counting…</p>}
      {report && days && (
        <>
          <p className={styles.muted} data-testid="analytics-range">
            {report.connection ?? 'All connections'}, {days.from ?? 'from the first upload'} to {days.to} (whole days, UTC){report.rolledUpBefore ? `; requests before ${report.rolledUpBefore} are kept as daily totals` : ''}.
          </p>
          <Summary report={report} />
          <div className={styles.grid}>
            <UploadsCard report={report} csv={tables.find((t) => t.name === 'uploads')} fileStem={fileStem} now={now} />
            <CategoriesCard report={report} tables={tables} fileStem={fileStem} />
            <RequestsCard report={report} tables={tables} fileStem={fileStem} />
            <FailuresCard report={report} tables={tables} fileStem={fileStem} />
            <section className={`${styles.card} ${styles.wide}`} aria-labelledby="slowest-heading" data-testid="slowest-card">
              <div className={styles.cardHead}>
                <h3 id="slowest-heading" className={styles.subheading}>
                  Slowest requests
                </h3>
                <Button size="small" variant="quiet" onPress={() => downloadCsv(tables.find((t) => t.name === 'slowest')!, fileStem)} aria-label="Slowest requests: download CSV">
                  CSV
                </Button>
              </div>
              <div className={styles.tableBox}>
                <ReportTable table={tables.find((t) => t.name === 'slowest')} testId="slowest-table" />
              </div>
            </section>
          </div>
        </>
      )}
    </section>
  );
}

/** The range's figures at a glance. */
function Summary({ report }: { report: AnalyticsReport }) {
  const { uploads: u, throughput: t, requests: r, resumes, images } = report;
  const tiles: { label: string; value: string; note?: string; id: string }[] = [
    { id: 'verified', label: 'Uploads verified', value: count(u.verified), note: formatBytes(u.bytesVerified) },
    { id: 'success', label: 'Upload success rate', value: percent(u.successRate), note: `${count(u.failed)} failed · ${count(u.cancelled)} cancelled` },
    { id: 'median', label: 'Throughput, median', value: rate(t.medianBytesPerSecond), note: `p95 ${rate(t.p95BytesPerSecond)} · ${count(t.uploads)} measured` },
    { id: 'retries', label: 'Requests retried', value: count(r.failedBy.retried), note: `of ${count(r.total)} requests` },
    { id: 'resumes', label: 'Uploads resumed', value: count(resumes.uploads), note: `${formatBytes(resumes.bytesSaved)} not sent again` },
    {
      id: 'images',
      label: 'Image bytes saved',
      value: formatBytes(Math.max(0, images.bytesSaved)),
      note: images.sets > 0 ? `${count(images.sets)} sets, ${Math.round((images.bytesSaved / Math.max(1, images.bytesBefore)) * 100)}% smaller` : 'no image made smaller',
    },
  ];
  return (
    <dl className={styles.tiles} data-testid="analytics-summary">
      {tiles.map((tile) => (
        <div key={tile.id} className={styles.tile} data-testid={`tile-${tile.id}`}>
          <dt>{tile.label}</dt>
          <dd>{tile.value}</dd>
          {tile.note && <dd className={styles.tileNote}>{tile.note}</dd>}
        </div>
      ))}
    </dl>
  );
}
