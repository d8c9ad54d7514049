import { DEFAULT_QUOTA_BYTES, pricesSchema, type Prices } from '../../../shared/usage';

/**
 * The quota and price forms as plain values: what the author typed, turned into what
 * `usage.setQuota` takes, with a message at the field when it cannot be.
 */

export const quotaUnits = { bytes: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3, TiB: 1024 ** 4 } as const;
export type QuotaUnit = keyof typeof quotaUnits;

export interface QuotaValues {
  /** The Spaces plan's 250 GiB, or the author's own size. */
  plan: boolean;
  size: string;
  unit: QuotaUnit;
}

/** The form as the quota is now: an own quota shown in the largest unit it is a round number of. */
export function quotaValues(quotaBytes: number, isDefault: boolean): QuotaValues {
  if (isDefault) return { plan: true, size: String(DEFAULT_QUOTA_BYTES / quotaUnits.GiB), unit: 'GiB' };
  const units = (Object.keys(quotaUnits) as QuotaUnit[]).reverse();
  const unit = units.find((u) => quotaBytes >= quotaUnits[u] && Number.isInteger((quotaBytes / quotaUnits[u]) * 100)) ?? 'bytes';
  return { plan: false, size: String(Math.round((quotaBytes / quotaUnits[unit]) * 100) / 100), unit };
}

/** Null for the plan's quota, a byte count, or the message to show at the size field. */
export function quotaInput(values: QuotaValues): { quotaBytes: number | null } | { error: string } {
  if (values.plan) return { quotaBytes: null };
  const number = Number(values.size.trim());
  if (values.size.trim() === '' || !Number.isFinite(number) || number <= 0) return { error: 'give the quota as a number above zero, like 100 (GiB)' };
  const bytes = Math.round(number * quotaUnits[values.unit]);
  if (bytes < 1) return { error: 'a quota is at least 1 byte' };
  if (bytes > 2 ** 53) return { error: 'that quota is larger than Quire can count' };
  return { quotaBytes: bytes };
}

export type PriceField = keyof Prices;
export type PriceValues = Record<PriceField, string>;

export const priceFields: { field: PriceField; label: string; description: string }[] = [
  { field: 'baseMonthly', label: 'Plan per month', description: 'What the plan costs each month' },
  { field: 'includedStorageGiB', label: 'Storage included (GiB)', description: 'Stored without extra cost' },
  { field: 'includedEgressGiB', label: 'Transfer out included (GiB)', description: 'Downloads without extra cost' },
  { field: 'perGiBMonth', label: 'Per GiB-month beyond', description: 'Each GiB stored beyond the plan' },
  { field: 'perGiBOut', label: 'Per GiB out beyond', description: 'Each GiB downloaded beyond the plan' },
  { field: 'currency', label: 'Currency', description: 'A code like USD or EUR' },
];

export function priceValues(prices: Prices): PriceValues {
  return {
    currency: prices.currency,
    baseMonthly: String(prices.baseMonthly),
    includedStorageGiB: String(prices.includedStorageGiB),
    includedEgressGiB: String(prices.includedEgressGiB),
    perGiBMonth: String(prices.perGiBMonth),
    perGiBOut: String(prices.perGiBOut),
  };
}

/** The prices as the contract takes them, checked by its own schema, each problem at its field. */
export function pricesInput(values: PriceValues): { prices: Prices } | { errors: Partial<Record<PriceField, string>> } {
  const number = (text: string) => (text.trim() === '' ? Number.NaN : Number(text.trim()));
  const candidate = {
    currency: values.currency.trim().toUpperCase(),
    baseMonthly: number(values.baseMonthly),
    includedStorageGiB: number(values.includedStorageGiB),
    includedEgressGiB: number(values.includedEgressGiB),
    perGiBMonth: number(values.perGiBMonth),
    perGiBOut: number(values.perGiBOut),
  };
  const parsed = pricesSchema.safeParse(candidate);
  if (parsed.success) return { prices: parsed.data };
  const errors: Partial<Record<PriceField, string>> = {};
  for (const issue of parsed.error.issues) {
    const field = issue.path[0] as PriceField | undefined;
    if (!field || errors[field]) continue;
    errors[field] = field === 'currency' ? 'give a currency code, like USD' : issue.code === 'invalid_type' ? 'give a number (0 or more)' : issue.message;
  }
  return { errors };
}

export function samePrices(a: Prices, b: Prices): boolean {
  return (Object.keys(a) as PriceField[]).every((field) => a[field] === b[field]);
}
