import { requestOutcomeKinds, type AnalyticsReport, type AnalyticsTable } from '../../../shared/analytics';
import { formatBytes } from '../../../shared/format';
import { InlineBar } from '../../components/InlineBar';
import { categoryColorVar, count, outcomeWords, percent } from './analyticsWords';
import { ChartCard } from './ChartCard';
import styles from './Analytics.module.css';

/** One table of the report as the page shows it: its columns and rows, numbers right-aligned. */
export function ReportTable({ table, testId }: { table: AnalyticsTable | undefined; testId?: string }) {
  if (!table) return null;
  return (
    <table className={styles.table} data-testid={testId}>
      <caption className="visually-hidden">{table.title}</caption>
      <thead>
        <tr>
          {table.columns.map((column) => (
            <th key={column} scope="col">
              {column}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {table.rows.length === 0 && (
          <tr>
            <td colSpan={table.columns.length} className={styles.muted}>
              Nothing in this range.
            </td>
          </tr>
        )}
        {table.rows.map((row, i) => (
          <tr key={i}>
            {row.map((cell, j) => (
              <td key={j} className={typeof cell === 'number' ? styles.number : undefined}>
                {cell === null ? '' : typeof cell === 'number' ? cell.toLocaleString('en-US') : String(cell)}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

interface CardProps {
  report: AnalyticsReport;
  tables: AnalyticsTable[];
  fileStem: string;
}

const tableOf = (tables: AnalyticsTable[], name: AnalyticsTable['name']) => tables.find((t) => t.name === name);

/** Verified uploads by content type over the whole range, largest first, each bar in its type's chart colour. */
export function CategoriesCard({ report, tables, fileStem }: CardProps) {
  const rows = report.byCategory;
  const widest = Math.max(0, ...rows.map((c) => c.bytes));
  const chart =
    rows.length === 0 ? (
      <p className={styles.muted}>No upload was verified in this range.</p>
    ) : (
      <ul className={styles.rows} aria-label="By content type">
        {rows.map((c) => (
          <li key={c.category} className={styles.row} data-testid="category-row" data-category={c.category}>
            <span className={styles.rowName}>
              <span className={`${styles.swatch} ${styles.swatchInline}`} style={{ backgroundColor: `var(${categoryColorVar(c.category)})` }} aria-hidden="true" />
              {c.category}
            </span>
            <span className={styles.rowFigures}>
              {count(c.uploads)} · {formatBytes(c.bytes)}
            </span>
            <InlineBar value={c.bytes} max={widest} />
          </li>
        ))}
      </ul>
    );
  return <ChartCard id="categories-card" title="By content type" chart={chart} table={<ReportTable table={tableOf(tables, 'categories')} />} csv={tableOf(tables, 'categories')} fileStem={fileStem} />;
}

/** Requests to the storage server: how many succeeded, and the failed ones by what became of them and why. */
export function RequestsCard({ report, tables, fileStem }: CardProps) {
  const r = report.requests;
  const widestKind = Math.max(0, ...requestOutcomeKinds.map((k) => r.failedBy[k]));
  const widestReason = Math.max(0, ...report.requestFailures.map((f) => f.count));
  const chart = (
    <>
      <p data-testid="requests-summary">
        {r.total === 0 ? 'No request in this range.' : `${count(r.total)} requests, ${percent(r.successRate)} succeeded; ${count(r.failed)} failed.`}
      </p>
      {r.failed > 0 && (
        <ul className={styles.rows} aria-label="Failed requests by what became of them">
          {requestOutcomeKinds
            .filter((k) => r.failedBy[k] > 0)
            .sort((a, b) => r.failedBy[b] - r.failedBy[a])
            .map((kind) => (
              <li key={kind} className={styles.row} data-testid="request-kind" data-kind={kind}>
                <span className={styles.rowName}>{outcomeWords[kind]}</span>
                <span className={styles.rowFigures}>{count(r.failedBy[kind])}</span>
                <InlineBar value={r.failedBy[kind]} max={widestKind} tone={kind === 'refused' ? 'accent' : 'muted'} />
              </li>
            ))}
        </ul>
      )}
      {report.requestFailures.length > 0 && (
        <>
          <h4 className={styles.subheading}>Reasons</h4>
          <ul className={styles.rows} aria-label="Failed requests by reason">
            {report.requestFailures.map((f) => (
              <li key={`${f.errorCode}-${f.httpStatus}-${f.kind}`} className={styles.row} data-testid="request-reason">
                <span className={styles.rowName}>
                  {f.errorCode}
                  {f.httpStatus === null ? '' : ` (${f.httpStatus})`} · {f.kind}
                </span>
                <span className={styles.rowFigures}>{count(f.count)}</span>
                <p className={styles.rowNote}>{f.meaning}</p>
                <InlineBar value={f.count} max={widestReason} tone="muted" />
              </li>
            ))}
          </ul>
        </>
      )}
    </>
  );
  return <ChartCard id="requests-card" title="Requests, retries and their reasons" chart={chart} table={<ReportTable table={tableOf(tables, 'requests')} />} csv={tableOf(tables, 'requests')} fileStem={fileStem} />;
}

/** Uploads that failed, by reason, with what the author can do and the latest file it happened to. */
export function FailuresCard({ report, tables, fileStem }: CardProps) {
  const widest = Math.max(0, ...report.failures.map((f) => f.uploads));
  const chart =
    report.failures.length === 0 ? (
      <p className={styles.muted} data-testid="failures-none">
        No upload failed in this range.
      </p>
    ) : (
      <ul className={styles.rows} aria-label="Failed uploads by reason">
        {report.failures.map((f) => (
          <li key={f.errorCode} className={styles.row} data-testid="failure-row" data-code={f.errorCode}>
            <span className={`${styles.rowName} ${styles.bad}`}>{f.errorCode}</span>
            <span className={styles.rowFigures}>
              {count(f.uploads)} {f.uploads === 1 ? 'upload' : 'uploads'} · {formatBytes(f.bytes)}
            </span>
            <p className={styles.rowNote}>
              <strong>What to do:</strong> {f.whatToDo}
            </p>
            <p className={styles.rowNote}>
              Latest: <span className={styles.key}>{f.latest.sourcePath}</span>
              {f.latest.message ? ` — ${f.latest.message}` : ''} ({new Date(f.latest.at).toLocaleString()})
            </p>
            <InlineBar value={f.uploads} max={widest} />
          </li>
        ))}
      </ul>
    );
  return <ChartCard id="failures-card" title="Failed uploads by reason" chart={chart} table={<ReportTable table={tableOf(tables, 'failures')} />} csv={tableOf(tables, 'failures')} fileStem={fileStem} />;
}
