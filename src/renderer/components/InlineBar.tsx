import styles from './InlineBar.module.css';

/**
 * A row's share of the largest row, as a bar inside the row (breakdowns: sorted rows with inline
 * bars rather than a chart). The width is set through the DOM's style object, which the page's
 * CSP allows (an inline style attribute it would refuse). Decorative: the row says the figure.
 */
export function InlineBar({ value, max, tone = 'accent' }: { value: number; max: number; tone?: 'accent' | 'muted' }) {
  const share = max > 0 ? Math.max(0, Math.min(1, value / max)) : 0;
  return (
    <span className={styles.track} aria-hidden="true">
      <span className={`${styles.fill} ${tone === 'muted' ? styles.muted : ''}`} style={{ width: `${(share * 100).toFixed(2)}%` }} />
    </span>
  );
}
