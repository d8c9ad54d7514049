import type { CostEstimate, Prices } from '../../../shared/usage';

const GIB = 1024 ** 3;
const DAYS_PROJECTED = 30;

/**
 * A month's bill for what is stored, from the provider's prices: the plan's base, storage beyond
 * what it includes, and egress beyond what it includes (the author's assumption: Quire sees no
 * downloads; inbound is free). The projection extends the last 30 days' uploads by 30 days.
 */
export function estimateCost(storedBytes: number, prices: Prices, options: { egressGiB: number; bytesPerDay: number }): CostEstimate {
  const bill = (bytes: number) => {
    const storedGiB = bytes / GIB;
    const extraStorage = Math.max(0, storedGiB - prices.includedStorageGiB);
    const extraEgress = Math.max(0, options.egressGiB - prices.includedEgressGiB);
    const lines = [
      { label: `plan (${prices.includedStorageGiB} GiB stored and ${prices.includedEgressGiB} GiB out included)`, amount: prices.baseMonthly },
      { label: `storage beyond the plan: ${round(extraStorage, 2)} GiB × ${prices.perGiBMonth} per GiB-month`, amount: extraStorage * prices.perGiBMonth },
      { label: `transfer out beyond the plan (assumed ${round(options.egressGiB, 2)} GiB): ${round(extraEgress, 2)} GiB × ${prices.perGiBOut} per GiB`, amount: extraEgress * prices.perGiBOut },
    ];
    return { storedGiB, lines, monthly: lines.reduce((sum, line) => sum + line.amount, 0) };
  };
  const now = bill(storedBytes);
  const later = bill(storedBytes + options.bytesPerDay * DAYS_PROJECTED);
  return {
    prices,
    monthly: round(now.monthly, 2),
    storedGiB: round(now.storedGiB, 3),
    egressGiB: options.egressGiB,
    lines: now.lines.map((line) => ({ ...line, amount: round(line.amount, 2) })),
    projection: { bytesPerDay: Math.round(options.bytesPerDay), monthlyIn30Days: round(later.monthly, 2) },
  };
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
