import { useEffect, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { AnalyticsBucket } from '../../../shared/analytics';
import { categoryColorVar } from './analyticsWords';
import styles from './Analytics.module.css';

const DAY_S = 24 * 3600;
const HEIGHT = 240;

export interface ChartSeries {
  category: string;
  values: number[];
}

/** Follows the system's light or dark choice, so the chart is drawn again in the new theme's colours. */
function useColorScheme(): 'light' | 'dark' {
  const [scheme, setScheme] = useState<'light' | 'dark'>(() => (window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light'));
  useEffect(() => {
    const query = window.matchMedia('(prefers-color-scheme: dark)');
    const changed = () => setScheme(query.matches ? 'dark' : 'light');
    query.addEventListener('change', changed);
    return () => query.removeEventListener('change', changed);
  }, []);
  return scheme;
}

/**
 * Bars per day or week, stacked by content type, drawn by uPlot on a canvas (fast at thousands
 * of bars). Stacking: each type's bar is drawn from the ground up to its running total, largest
 * total first, so each type shows as its own band. Colours, text and grid come from the theme's
 * custom properties, read again when the theme changes. The day under the pointer is reported
 * (`onHover`) so the page can say its figures in words.
 */
export function StackedBarsChart(props: {
  buckets: readonly string[];
  bucket: AnalyticsBucket;
  series: readonly ChartSeries[];
  formatValue: (value: number) => string;
  integers: boolean;
  label: string;
  onHover: (index: number | null) => void;
}) {
  const box = useRef<HTMLDivElement>(null);
  const scheme = useColorScheme();
  const onHover = useRef(props.onHover);
  onHover.current = props.onHover;

  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const css = getComputedStyle(element);
    const token = (name: string) => css.getPropertyValue(name).trim() || css.color;
    const text = token('--color-text-muted');
    const grid = token('--color-border');
    const xs = props.buckets.map((day) => Date.parse(`${day}T00:00:00Z`) / 1000);
    const half = ((props.bucket === 'week' ? 7 : 1) * DAY_S) / 2;
    // Running totals: series k is the sum of types 0..k; drawn from the last (the tallest) down.
    const running: number[][] = [];
    props.series.forEach((s, k) => running.push(s.values.map((v, i) => v + (k > 0 ? running[k - 1]![i]! : 0))));
    const order = props.series.map((_, k) => k).reverse();
    const data: uPlot.AlignedData = [xs, ...order.map((k) => running[k]!)];
    const bars = uPlot.paths.bars!({ size: [0.7, 48], gap: 1 });
    const axis = { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 }, font: '12px system-ui, "DejaVu Sans", sans-serif' };
    const options: uPlot.Options = {
      width: Math.max(200, element.clientWidth),
      height: HEIGHT,
      legend: { show: false },
      cursor: { y: false, drag: { x: false, y: false }, points: { show: false } },
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
      scales: {
        x: { time: true, range: (_u, min, max) => [min - half, max + half] },
        y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.08 : 1] },
      },
      axes: [
        { ...axis, space: 60 },
        {
          ...axis,
          size: 72,
          ...(props.integers ? { incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 100_000] } : {}),
          values: (_u, ticks) => ticks.map((v) => props.formatValue(v)),
        },
      ],
      series: [
        {},
        ...order.map((k) => {
          const color = token(categoryColorVar(props.series[k]!.category));
          return { label: props.series[k]!.category, stroke: color, fill: color, width: 0, paths: bars, points: { show: false } };
        }),
      ],
      hooks: {
        setCursor: [(u) => onHover.current(u.cursor.idx ?? null)],
      },
    };
    const chart = new uPlot(options, data, element);
    const resize = new ResizeObserver(() => chart.setSize({ width: Math.max(200, element.clientWidth), height: HEIGHT }));
    resize.observe(element);
    element.addEventListener('mouseleave', () => onHover.current(null));
    return () => {
      resize.disconnect();
      chart.destroy();
    };
  }, [props.buckets, props.bucket, props.series, props.formatValue, props.integers, scheme]);

  return <div ref={box} className={styles.chart} role="img" aria-label={props.label} data-testid="uploads-chart" data-scheme={scheme} />;
}
