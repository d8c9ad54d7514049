import { tableToCsv, type AnalyticsInput, type AnalyticsTable, type RequestOutcomeKind } from '../../../shared/analytics';
import { formatBytes } from '../../../shared/format';
import { categoryNames } from '../../../shared/layout';

const DAY_MS = 24 * 3600 * 1000;

export const ranges = [
  { value: '7', label: '7 days' },
  { value: '30', label: '30 days' },
  { value: '90', label: '90 days' },
  { value: 'all', label: 'All' },
] as const;
export type RangeChoice = (typeof ranges)[number]['value'];

/**
 * "The last N days, today included", as `quire stats --since Nd` counts them: whole UTC days
 * from the start of the day N-1 days before today's. "All": from the first record.
 */
export function rangeInput(range: RangeChoice, now: number): Pick<AnalyticsInput, 'since'> {
  if (range === 'all') return {};
  const days = Number(range);
  return { since: Math.floor(now / DAY_MS) * DAY_MS - (days - 1) * DAY_MS };
}

/** "87.5%", or "—" when there was nothing to count. */
export function percent(share: number | null): string {
  if (share === null) return '—';
  const value = share * 100;
  return `${Number.isInteger(value) ? value : value.toFixed(1)}%`;
}

export function rate(bytesPerSecond: number | null): string {
  return bytesPerSecond === null ? '—' : `${formatBytes(bytesPerSecond)}/s`;
}

export function count(n: number): string {
  return n.toLocaleString('en-US');
}

export const outcomeWords: Record<RequestOutcomeKind, string> = {
  retried: 'retried (the network or a busy server; Quire tried again)',
  refused: 'refused (keys, permissions, a missing bucket: see below)',
  expected: 'expected (a name found free, an offline check)',
  stopped: 'stopped on purpose (a pause, a cancel, Quire quitting)',
};

/** The chart colour token of a content type: fixed per type, so a type keeps its colour in every range. */
export function categoryColorVar(category: string): string {
  const index = (categoryNames as readonly string[]).indexOf(category);
  return `--chart-${(index === -1 ? categoryNames.length : index) % 10}`;
}

/** "2026-11-30" (UTC) as the author reads a day: "Nov 30" (with the year when it is not this year's). */
export function dayLabel(day: string, now: number): string {
  const date = new Date(`${day}T00:00:00Z`);
  const sameYear = date.getUTCFullYear() === new Date(now).getUTCFullYear();
  return date.toLocaleDateString('en-US', { month: 'short', day: 'numeric', ...(sameYear ? {} : { year: 'numeric' }), timeZone: 'UTC' });
}

/** Saves one table as a CSV file, built here from the report (the same text `quire stats --csv TABLE` prints). */
export function downloadCsv(table: AnalyticsTable, fileStem: string): void {
  const blob = new Blob([tableToCsv(table)], { type: 'text/csv;charset=utf-8' });
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = `${fileStem}-${table.name}.csv`;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
