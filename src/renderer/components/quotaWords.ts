import type { QuotaState } from '../../shared/usage';

/**
 * The platform specs' quota states as an author reads them. Colour is never the only signal:
 * each state has its words, and its tone picks the theme token (normal: success; high: warning;
 * warning: danger; over: danger, filled, so the four differ in colour too).
 */
export const quotaStateLabel: Record<QuotaState, string> = {
  normal: 'Normal',
  high: 'High: above 80%',
  warning: 'Warning: above 90%',
  over: 'Over quota',
};

/** "92%", "4.9%", "0.02%": one decimal below 10%, none above, never "0%" for something stored. */
export function percentText(used: number, of: number): string {
  if (of <= 0) return '—';
  const share = (used / of) * 100;
  if (share === 0) return '0%';
  if (share < 0.1) return '<0.1%';
  return `${share < 10 ? share.toFixed(1).replace(/\.0$/, '') : Math.round(share)}%`;
}
