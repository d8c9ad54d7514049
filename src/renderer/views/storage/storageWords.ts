import { categories } from '../../../shared/layout';
import { OTHER_AREA, type AreaUsage, type ScanProgress, type UsageReport } from '../../../shared/usage';

/** What each area of the layout holds, in the author's words (the prefix is shown beside it). */
const areaNames: Record<string, string> = {
  [categories.manuscript]: 'Manuscripts',
  [categories.cover]: 'Covers',
  [categories['book-asset']]: 'Book images',
  [categories.audio]: 'Audio chapters',
  [categories['audio-full']]: 'Full audiobooks',
  [categories['audio-sample']]: 'Audio samples',
  [categories.avatar]: 'Author photos',
  [categories.branding]: 'Branding',
  [categories.video]: 'Video',
  [categories.other]: 'Other uploads',
  'temp/': 'Temporary files',
  [OTHER_AREA]: 'Elsewhere in the bucket',
};

export function areaName(area: string): string {
  return areaNames[area] ?? area;
}

/** The prefix as the bucket shows it; "other" is everything outside the layout. */
export function areaPrefix(area: string): string {
  return area === OTHER_AREA ? 'outside the layout' : area;
}

/** Largest first (bytes, then objects, then name): the breakdown reads from what costs most. */
export function sortedAreas(areas: readonly AreaUsage[]): { shown: AreaUsage[]; empty: AreaUsage[] } {
  const shown = areas.filter((a) => a.objects > 0 || a.bytes > 0).sort((a, b) => b.bytes - a.bytes || b.objects - a.objects || a.area.localeCompare(b.area));
  const empty = areas.filter((a) => a.objects === 0 && a.bytes === 0);
  return { shown, empty };
}

export function plural(count: number, one: string, many: string): string {
  return `${count.toLocaleString('en-US')} ${count === 1 ? one : many}`;
}

/** "$5.00", or "5.00 XYZ" for a currency code the browser does not know. */
export function money(amount: number, currency: string): string {
  try {
    return new Intl.NumberFormat('en-US', { style: 'currency', currency, minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(amount);
  } catch {
    return `${amount.toFixed(2)} ${currency}`;
  }
}

/** "just now", "5 minutes ago", "3 hours ago", "2 days ago". */
export function agoText(at: number, now: number): string {
  const seconds = Math.max(0, Math.round((now - at) / 1000));
  if (seconds < 45) return 'just now';
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${plural(minutes, 'minute', 'minutes')} ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 36) return `${plural(hours, 'hour', 'hours')} ago`;
  return `${plural(Math.round(hours / 24), 'day', 'days')} ago`;
}

/** An age as a duration: "3 hours", "12 days". */
export function ageText(ms: number): string {
  const hours = ms / 3_600_000;
  if (hours < 1) return plural(Math.max(1, Math.round(ms / 60_000)), 'minute', 'minutes');
  if (hours < 48) return plural(Math.round(hours), 'hour', 'hours');
  return plural(Math.floor(hours / 24), 'day', 'days');
}

/** The scan's live figures: "1,234 objects counted · 3 of 7 prefixes listed". */
export function scanProgressText(scan: ScanProgress): string {
  // The server's own count (Ceph) says how many there are to count by area.
  const counted = scan.serverTotals
    ? `${scan.objectsSeen.toLocaleString('en-US')} of ${plural(scan.serverTotals.objects, 'object', 'objects')} counted by area`
    : `${plural(scan.objectsSeen, 'object', 'objects')} counted`;
  if (scan.units === 0) return `${counted} · finding the bucket's folders`;
  return `${counted} · ${scan.unitsDone.toLocaleString('en-US')} of ${plural(scan.units, 'prefix', 'prefixes')} listed`;
}

/** Whether a scan can be taken up where it stopped (its pages are kept). */
export function scanStoppedMidway(report: UsageReport): boolean {
  const state = report.scan?.state;
  return state === 'interrupted' || state === 'cancelled' || state === 'failed';
}
