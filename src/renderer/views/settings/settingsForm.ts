import { settingsSchema, settingsUpdateSchema, type Settings, type SettingsUpdate } from '../../../shared/settings';

/**
 * The settings form as text fields in the units authors think in (MiB/s, not bytes per second),
 * turned into the contract's update and checked by its schema, each problem at its field.
 */

export const MIB = 1024 ** 2;

export interface SettingsFormValues {
  /** MiB per second; empty or 0 for no cap. */
  bandwidthMiBps: string;
  requestsPerSecond: string;
}

export type SettingsField = keyof SettingsFormValues;
export type SettingsErrors = Partial<Record<SettingsField, string>>;

export function valuesOf(settings: Settings): SettingsFormValues {
  return {
    bandwidthMiBps: settings.bandwidthLimit === 0 ? '0' : String(Math.round((settings.bandwidthLimit / MIB) * 100) / 100),
    requestsPerSecond: String(settings.requestsPerSecond),
  };
}

/** A number as typed ("1,5" in many locales means 1.5); text that is no number stays NaN for the schema. */
function parseNumber(text: string): number {
  const normalized = text.trim().replace(',', '.');
  return normalized === '' ? Number.NaN : Number(normalized);
}

export function toUpdate(values: SettingsFormValues): SettingsUpdate {
  const mib = values.bandwidthMiBps.trim() === '' ? 0 : parseNumber(values.bandwidthMiBps);
  return {
    bandwidthLimit: Number.isFinite(mib) ? Math.round(mib * MIB) : Number.NaN,
    requestsPerSecond: parseNumber(values.requestsPerSecond),
  };
}

const maxBandwidth = settingsSchema.shape.bandwidthLimit.maxValue ?? Number.MAX_SAFE_INTEGER;
const requestRate = settingsSchema.shape.requestsPerSecond;

/** The update to send, or each field's problem in its own units. */
export function validateSettings(values: SettingsFormValues): { update: SettingsUpdate } | { errors: SettingsErrors } {
  const parsed = settingsUpdateSchema.safeParse(toUpdate(values));
  if (parsed.success) return { update: parsed.data };
  const errors: SettingsErrors = {};
  for (const issue of parsed.error.issues) {
    if (issue.path[0] === 'bandwidthLimit') {
      errors.bandwidthMiBps ??=
        issue.code === 'too_big'
          ? `the cap can be at most ${(maxBandwidth / MIB).toLocaleString('en-US')} MiB/s; use 0 for no cap`
          : 'give the cap as a number of MiB per second, such as 2 or 0.5; 0 for no cap';
    }
    if (issue.path[0] === 'requestsPerSecond') {
      errors.requestsPerSecond ??= `give a whole number of requests per second from ${requestRate.minValue ?? 1} to ${(requestRate.maxValue ?? 10_000).toLocaleString('en-US')}`;
    }
  }
  return { errors };
}

/** "2 MiB/s ≈ 16.8 Mbit/s": internet plans are sold in megabits. */
export function describeBandwidth(bytesPerSecond: number): string {
  if (bytesPerSecond === 0) return 'no cap';
  const mib = bytesPerSecond / MIB;
  const mbit = (bytesPerSecond * 8) / 1_000_000;
  return `${mib.toLocaleString('en-US', { maximumFractionDigits: 2 })} MiB/s (about ${mbit.toLocaleString('en-US', { maximumFractionDigits: 1 })} Mbit/s)`;
}
