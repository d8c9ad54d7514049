import { useCallback, useMemo, useState } from 'react';
import type { AnalyticsReport, AnalyticsTable } from '../../../shared/analytics';
import { formatBytes } from '../../../shared/format';
import { categoryColorVar, count, dayLabel } from './analyticsWords';
import { ChartCard } from './ChartCard';
import { StackedBarsChart, type ChartSeries } from './StackedBarsChart';
import styles from './Analytics.module.css';

type Measure = 'uploads' | 'bytes';

/**
 * Verified uploads (or their bytes) per day or week, stacked by content type: the uPlot chart
 * with its legend and, under the pointer, that bar's figures in words; or the same as a table.
 */
export function UploadsCard({ report, csv, fileStem, now }: { report: AnalyticsReport; csv: AnalyticsTable | undefined; fileStem: string; now: number }) {
  const [measure, setMeasure] = useState<Measure>('uploads');
  const [hovered, setHovered] = useState<number | null>(null);
  const { series } = report;
  const chartSeries = useMemo<ChartSeries[]>(() => series.categories.map((c) => ({ category: c.category, values: measure === 'uploads' ? c.uploads : c.bytes })), [series, measure]);
  const format = useCallback((value: number) => (measure === 'uploads' ? count(value) : formatBytes(value)), [measure]);
  const per = series.bucket === 'week' ? 'week' : 'day';
  const title = `${measure === 'uploads' ? 'Uploads' : 'Bytes'} per ${per} by content type`;
  const totalAt = (i: number) => chartSeries.reduce((sum, s) => sum + (s.values[i] ?? 0), 0);
  const barLabel = (i: number) => (series.bucket === 'week' ? `week of ${dayLabel(series.buckets[i]!, now)}` : dayLabel(series.buckets[i]!, now));

  const tools = (
    <div className={styles.segmented} role="group" aria-label="Measure">
      <button type="button" aria-pressed={measure === 'uploads'} onClick={() => setMeasure('uploads')}>
        Uploads
      </button>
      <button type="button" aria-pressed={measure === 'bytes'} onClick={() => setMeasure('bytes')}>
        Bytes
      </button>
    </div>
  );

  const chart =
    series.categories.length === 0 ? (
      <p className={styles.muted}>No upload was verified in this range.</p>
    ) : (
      <>
        <ul className={styles.legend} aria-label="Content types">
          {chartSeries.map((s) => (
            <li key={s.category}>
              <span className={styles.swatch} style={{ backgroundColor: `var(${categoryColorVar(s.category)})` }} aria-hidden="true" />
              {s.category}
            </li>
          ))}
        </ul>
        <StackedBarsChart
          buckets={series.buckets}
          bucket={series.bucket}
          series={chartSeries}
          formatValue={format}
          integers={measure === 'uploads'}
          label={`${title}: a bar chart; the table view lists the same figures`}
          onHover={setHovered}
        />
        <p className={styles.readout} aria-hidden="true" data-testid="chart-readout">
          {hovered !== null && series.buckets[hovered]
            ? `${barLabel(hovered)}: ${format(totalAt(hovered))}${chartSeries
                .filter((s) => (s.values[hovered] ?? 0) > 0)
                .map((s) => ` · ${s.category} ${format(s.values[hovered]!)}`)
                .join('')}`
            : 'Point at a bar for its figures.'}
        </p>
      </>
    );

  // Rows: the bars that hold something, newest first.
  const filled = series.buckets.map((_, i) => i).filter((i) => totalAt(i) > 0).reverse();
  const table =
    filled.length === 0 ? (
      <p className={styles.muted}>No upload was verified in this range.</p>
    ) : (
      <table className={styles.table} data-testid="uploads-table">
        <caption className="visually-hidden">{title}</caption>
        <thead>
          <tr>
            <th scope="col">{series.bucket === 'week' ? 'Week of' : 'Day'}</th>
            {chartSeries.map((s) => (
              <th key={s.category} scope="col" className={styles.number}>
                {s.category}
              </th>
            ))}
            <th scope="col" className={styles.number}>
              Total
            </th>
          </tr>
        </thead>
        <tbody>
          {filled.map((i) => (
            <tr key={series.buckets[i]}>
              <th scope="row">{series.buckets[i]}</th>
              {chartSeries.map((s) => (
                <td key={s.category} className={styles.number}>
                  {format(s.values[i] ?? 0)}
                </td>
              ))}
              <td className={styles.number}>{format(totalAt(i))}</td>
            </tr>
          ))}
        </tbody>
      </table>
    );

  return <ChartCard id="uploads-card" title={title} chart={chart} table={table} csv={csv} fileStem={fileStem} tools={tools} wide />;
}
