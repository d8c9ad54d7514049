import { QuireError } from '../core/errors';

/** "5GiB", "500MB", "1048576" -> bytes. Binary and decimal units, as authors type them. */
export function parseSize(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|kib|mb|mib|gb|gib|tb|tib)?\s*$/i.exec(text);
  if (!match) throw new QuireError('usage', `"${text}" is not a size; write it like 5GiB, 500MB or 1048576.`);
  const factors: Record<string, number> = { b: 1, kb: 1e3, kib: 1024, mb: 1e6, mib: 1024 ** 2, gb: 1e9, gib: 1024 ** 3, tb: 1e12, tib: 1024 ** 4 };
  return Math.round(Number(match[1]) * factors[(match[2] ?? 'b').toLowerCase()]!);
}

/** "1h", "6h", "1d", "7d", "90m" -> seconds. */
export function parseDuration(text: string): number {
  const match = /^\s*(\d+)\s*(s|m|h|d)\s*$/i.exec(text);
  if (!match) throw new QuireError('usage', `"${text}" is not a duration; write it like 1h, 6h, 1d or 7d.`);
  const factors: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };
  return Number(match[1]) * factors[match[2]!.toLowerCase()]!;
}

export function splitList(text: string | undefined): string[] {
  return (text ?? '').split(',').map((item) => item.trim().replace(/^\./, '')).filter(Boolean);
}
