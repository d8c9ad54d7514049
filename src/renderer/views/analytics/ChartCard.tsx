import { useState, type ReactNode } from 'react';
import type { AnalyticsTable } from '../../../shared/analytics';
import { Button } from '../../components/Button';
import { downloadCsv } from './analyticsWords';
import styles from './Analytics.module.css';

/**
 * A card holding one chart and, at the author's choice, the same figures as a table (what a
 * screen reader reads, and what one copies from); the table also goes out as CSV.
 */
export function ChartCard(props: {
  id: string;
  title: string;
  chart: ReactNode;
  table: ReactNode;
  csv: AnalyticsTable | undefined;
  fileStem: string;
  tools?: ReactNode;
  wide?: boolean;
}) {
  const [view, setView] = useState<'chart' | 'table'>('chart');
  return (
    <section className={`${styles.card} ${props.wide ? styles.wide : ''}`} aria-labelledby={`${props.id}-heading`} data-testid={props.id}>
      <div className={styles.cardHead}>
        <h3 id={`${props.id}-heading`} className={styles.subheading}>
          {props.title}
        </h3>
        <div className={styles.tools}>
          {props.tools}
          <div className={styles.segmented} role="group" aria-label={`${props.title}: show as`}>
            <button type="button" aria-pressed={view === 'chart'} onClick={() => setView('chart')}>
              Chart
            </button>
            <button type="button" aria-pressed={view === 'table'} onClick={() => setView('table')}>
              Table
            </button>
          </div>
          {props.csv && (
            <Button size="small" variant="quiet" onPress={() => downloadCsv(props.csv!, props.fileStem)} aria-label={`${props.title}: download CSV`}>
              CSV
            </Button>
          )}
        </div>
      </div>
      {view === 'chart' ? props.chart : <div className={styles.tableBox}>{props.table}</div>}
    </section>
  );
}
