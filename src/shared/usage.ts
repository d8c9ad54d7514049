import { z } from 'zod';
import { categories } from './layout';

/**
 * What an author's bucket holds and what it costs (issue 14): per connection, objects and bytes by
 * area of the platform's layout, a quota with the platform specs' states, and a monthly cost from
 * the provider's prices. Shared so every host shows the same figures the same way.
 */

/** The areas of the layout a bucket's objects are counted under; anything else is "other". */
export const usageAreas = [...new Set<string>(Object.values(categories)), 'temp/'] as const;
export const OTHER_AREA = 'other';

/** The area an object key is counted under: the longest layout prefix it starts with. */
export function areaOf(key: string): string {
  let best: string = OTHER_AREA;
  for (const area of usageAreas) if (key.startsWith(area) && (best === OTHER_AREA || area.length > best.length)) best = area;
  return best;
}

/** Spaces' standard plan: $5 a month with 250 GiB stored and 1 TiB out; beyond, $0.02 per GiB-month and $0.01 per GiB out; inbound is free. */
export const pricesSchema = z.object({
  currency: z.string().min(1).max(8),
  baseMonthly: z.number().min(0).max(100_000),
  includedStorageGiB: z.number().min(0).max(10_000_000),
  includedEgressGiB: z.number().min(0).max(10_000_000),
  perGiBMonth: z.number().min(0).max(1000),
  perGiBOut: z.number().min(0).max(1000),
});
export type Prices = z.infer<typeof pricesSchema>;
export const spacesPrices: Prices = { currency: 'USD', baseMonthly: 5, includedStorageGiB: 250, includedEgressGiB: 1024, perGiBMonth: 0.02, perGiBOut: 0.01 };

/** The Spaces plan's included storage: the quota when the author set none. */
export const DEFAULT_QUOTA_BYTES = 250 * 1024 ** 3;

export type QuotaState = 'normal' | 'high' | 'warning' | 'over';

/** The platform specs' states: high above 80%, warning above 90%, over quota above 100%. */
export function quotaState(usedBytes: number, quotaBytes: number): QuotaState {
  if (quotaBytes <= 0) return 'normal';
  const share = usedBytes / quotaBytes;
  if (share > 1) return 'over';
  if (share > 0.9) return 'warning';
  if (share > 0.8) return 'high';
  return 'normal';
}

export interface AreaUsage {
  area: string;
  objects: number;
  bytes: number;
}

export interface ScanProgress {
  /** interrupted: a process scanning it ended mid-way (the next scan goes on from its last page). */
  state: 'running' | 'done' | 'cancelled' | 'failed' | 'interrupted';
  /**
   * listing: every object listed. bucket-stats: the totals came at once from the server's own
   * count (Ceph's bucket statistics, `serverTotals`); the listing still counts the areas.
   */
  method: 'listing' | 'bucket-stats';
  serverTotals: { objects: number; bytes: number } | null;
  startedAt: number;
  finishedAt: number | null;
  /** Objects and bytes counted so far (all of them once done). */
  objectsSeen: number;
  bytesSeen: number;
  /** Prefixes of the bucket listed, of all there are. */
  unitsDone: number;
  units: number;
  error: string | null;
}

export interface CostEstimate {
  prices: Prices;
  /** This month's cost for what is stored now, with the egress the author assumes. */
  monthly: number;
  storedGiB: number;
  /** Assumed: the egress per month the author entered (Quire cannot see downloads). */
  egressGiB: number;
  /** Each line of the bill, in plain words ("base plan: 5.00", "storage over 250 GiB: 12.3 GiB x 0.02"). */
  lines: { label: string; amount: number }[];
  /** From the last 30 days of Quire's uploads: bytes added per day, and the monthly cost in 30 days at that pace. */
  projection: { bytesPerDay: number; monthlyIn30Days: number };
}

/** `usage.get`: one connection's usage as the last scan found it, kept current by Quire's uploads since. */
export interface UsageReport {
  connectionId: string;
  connection: string;
  /** Null until a first scan has ended. */
  scannedAt: number | null;
  totals: { objects: number; bytes: number };
  /**
   * snapshot: the totals are the areas' sum. bucket-stats: a scan under way (or cut off) has the
   * server's exact count, newer than the areas' snapshot; the totals are that count.
   */
  totalsFrom: 'snapshot' | 'bucket-stats';
  areas: AreaUsage[];
  /** Uploads verified since the snapshot, already included in the figures above. */
  sinceScan: { objects: number; bytes: number };
  /** Unfinished multipart uploads the last scan found: Spaces bills their parts. */
  unfinished: { uploads: number; bytes: number };
  scan: ScanProgress | null;
  quota: { bytes: number; usedPercent: number; state: QuotaState; isDefault: boolean };
  cost: CostEstimate;
}

export const usageInputSchema = z.object({
  connection: z.string().min(1).max(64).optional(),
  /** The egress per month to assume in the cost (GiB). */
  egressGiB: z.number().min(0).max(10_000_000).optional(),
});

export const usageScanInputSchema = z.object({
  connection: z.string().min(1).max(64).optional(),
  /** Answer once the scan has ended (the CLI), rather than at once with it under way (the app). */
  wait: z.boolean().default(false),
});

export const usageCancelInputSchema = z.object({ connection: z.string().min(1).max(64).optional() });

export const usageQuotaInputSchema = z.object({
  connection: z.string().min(1).max(64).optional(),
  /** Bytes; null: back to the Spaces plan's 250 GiB. */
  quotaBytes: z.number().int().min(1, 'a quota is at least 1 byte').max(2 ** 53).nullable().optional(),
  /** Null: back to Spaces' prices. */
  prices: pricesSchema.nullable().optional(),
});
