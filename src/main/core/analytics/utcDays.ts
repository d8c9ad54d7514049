/**
 * UTC days and weeks as the analytics count them (src/shared/analytics.ts): a day is
 * 'YYYY-MM-DD' in UTC, the unit old requests are rolled up by; a week starts on Monday.
 */
export const DAY_MS = 24 * 60 * 60 * 1000;

/** The start (UTC midnight) of the day `ms` falls in. */
export function startOfUtcDay(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}

/** The first UTC midnight at or after `ms`. */
export function endOfUtcDay(ms: number): number {
  return Math.ceil(ms / DAY_MS) * DAY_MS;
}

/** 'YYYY-MM-DD' of the UTC day `ms` falls in. */
export function utcDay(ms: number): string {
  return new Date(startOfUtcDay(ms)).toISOString().slice(0, 10);
}

/** The start (UTC midnight) of a 'YYYY-MM-DD' day. */
export function dayStart(day: string): number {
  return Date.parse(`${day}T00:00:00.000Z`);
}

/** The start of the Monday-to-Sunday UTC week `ms` falls in. 1970-01-01 was a Thursday. */
export function startOfUtcWeek(ms: number): number {
  const day = Math.floor(ms / DAY_MS);
  const sinceMonday = (((day + 3) % 7) + 7) % 7;
  return (day - sinceMonday) * DAY_MS;
}

/** The start of the bar (day or week) `ms` falls in. */
export function bucketStart(ms: number, bucket: 'day' | 'week'): number {
  return bucket === 'day' ? startOfUtcDay(ms) : startOfUtcWeek(ms);
}

/** The starts of every bar from the one holding `since` to the one holding `until - 1`. */
export function bucketStarts(since: number, until: number, bucket: 'day' | 'week'): number[] {
  const starts: number[] = [];
  const step = bucket === 'day' ? DAY_MS : 7 * DAY_MS;
  for (let start = bucketStart(since, bucket); start < until; start += step) starts.push(start);
  return starts;
}
