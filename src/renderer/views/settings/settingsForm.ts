import type { DesktopSettings } from '../../../shared/desktop';
import type { ImageSettings } from '../../../shared/images';
import { settingsSchema, settingsUpdateSchema, type Settings, type SettingsReport, type SettingsUpdate } from '../../../shared/settings';

/**
 * The settings form as text fields in the units authors think in (MiB/s and MiB, not bytes),
 * turned into the contract's update and checked by its schema, each problem at its field.
 */

export const MIB = 1024 ** 2;

export interface SettingsFormValues {
  /** MiB per second; empty or 0 for no cap. */
  bandwidthMiBps: string;
  requestsPerSecond: string;
  /** MiB per part of a large file. */
  partSizeMiB: string;
  requestBudget: string;
  filesAtOnce: string;
}

export type SettingsField = keyof SettingsFormValues;
export type SettingsErrors = Partial<Record<SettingsField, string>>;

/** The numbers of how uploads go; the image choices (imageSettingsForm.ts) and the desktop app's have their own parts of the form. */
type TransferSetting = Exclude<keyof SettingsUpdate, keyof ImageSettings | keyof DesktopSettings>;

/**
 * Each setting's field, in the order the form and "In force now" show them: how a large file is
 * sent, then how much of the line Quire takes.
 */
const fieldOfSetting = {
  partSize: 'partSizeMiB',
  requestBudget: 'requestBudget',
  filesAtOnce: 'filesAtOnce',
  bandwidthLimit: 'bandwidthMiBps',
  requestsPerSecond: 'requestsPerSecond',
} as const satisfies Record<TransferSetting, SettingsField>;

/** The settings this form tunes (all but the queue's pause, which the Queue view holds). */
export type TunedSetting = keyof typeof fieldOfSetting;
export const tunedSettings = Object.keys(fieldOfSetting) as TunedSetting[];

/** MiB with at most two decimals: what a field shows and what "in force" says. */
function mibText(bytes: number): string {
  return String(Math.round((bytes / MIB) * 100) / 100);
}

export function valuesOf(settings: Settings): SettingsFormValues {
  return {
    bandwidthMiBps: settings.bandwidthLimit === 0 ? '0' : mibText(settings.bandwidthLimit),
    requestsPerSecond: String(settings.requestsPerSecond),
    partSizeMiB: mibText(settings.partSize),
    requestBudget: String(settings.requestBudget),
    filesAtOnce: String(settings.filesAtOnce),
  };
}

/** A number as typed ("1,5" in many locales means 1.5); text that is no number stays NaN for the schema. */
function parseNumber(text: string): number {
  const normalized = text.trim().replace(',', '.');
  return normalized === '' ? Number.NaN : Number(normalized);
}

function mibToBytes(text: string): number {
  const mib = parseNumber(text);
  return Number.isFinite(mib) ? Math.round(mib * MIB) : Number.NaN;
}

export function toUpdate(values: SettingsFormValues): Required<Pick<SettingsUpdate, TunedSetting>> {
  return {
    bandwidthLimit: values.bandwidthMiBps.trim() === '' ? 0 : mibToBytes(values.bandwidthMiBps),
    requestsPerSecond: parseNumber(values.requestsPerSecond),
    partSize: mibToBytes(values.partSizeMiB),
    requestBudget: parseNumber(values.requestBudget),
    filesAtOnce: parseNumber(values.filesAtOnce),
  };
}

const maxBandwidth = settingsSchema.shape.bandwidthLimit.maxValue ?? Number.MAX_SAFE_INTEGER;
const requestRate = settingsSchema.shape.requestsPerSecond;
const partSize = settingsSchema.shape.partSize;
const requestBudget = settingsSchema.shape.requestBudget;
const filesAtOnce = settingsSchema.shape.filesAtOnce;

/**
 * What to say when the schema refuses a field. Where the schema has a plain message of its own
 * (the range of a part size, of requests in flight, of files at once) that is the message; text
 * that is no number, or a fraction where a count is asked, gets one that says what to type.
 */
function messageFor(setting: TunedSetting, code: string, schemaMessage: string): string {
  const outOfRange = code === 'too_small' || code === 'too_big';
  switch (setting) {
    case 'bandwidthLimit':
      return code === 'too_big'
        ? `the cap can be at most ${(maxBandwidth / MIB).toLocaleString('en-US')} MiB/s; use 0 for no cap`
        : 'give the cap as a number of MiB per second, such as 2 or 0.5; 0 for no cap';
    case 'requestsPerSecond':
      return `give a whole number of requests per second from ${requestRate.minValue ?? 1} to ${(requestRate.maxValue ?? 10_000).toLocaleString('en-US')}`;
    case 'partSize':
      return outOfRange
        ? schemaMessage
        : `give the part size as a number of MiB from ${(partSize.minValue ?? 5 * MIB) / MIB} to ${((partSize.maxValue ?? 5120 * MIB) / MIB).toLocaleString('en-US')}, such as 10`;
    case 'requestBudget':
      return outOfRange ? schemaMessage : `give a whole number of requests from ${requestBudget.minValue ?? 1} to ${requestBudget.maxValue ?? 64}`;
    case 'filesAtOnce':
      return outOfRange ? schemaMessage : `give a whole number of files from ${filesAtOnce.minValue ?? 1} to ${filesAtOnce.maxValue ?? 10}`;
  }
}

/**
 * The update to send, or each field's problem in its own units. Only the settings whose field
 * differs from what the page was shown are sent: a part size saved by `quire settings --part-size
 * 8MB` (7.63 MiB as shown) is not rounded into another one when the author only changes the cap,
 * and a change made from another shell since the page looked is not undone by an untouched field.
 */
export function validateSettings(values: SettingsFormValues, saved: Settings): { update: SettingsUpdate } | { errors: SettingsErrors } {
  const parsed = settingsUpdateSchema.safeParse(toUpdate(values));
  if (!parsed.success) {
    const errors: SettingsErrors = {};
    for (const issue of parsed.error.issues) {
      const setting = issue.path[0];
      if (typeof setting !== 'string' || !(setting in fieldOfSetting)) continue;
      errors[fieldOfSetting[setting as TunedSetting]] ??= messageFor(setting as TunedSetting, issue.code, issue.message);
    }
    return { errors };
  }
  const savedValues = valuesOf(saved);
  const update: SettingsUpdate = {};
  for (const setting of tunedSettings) {
    const field = fieldOfSetting[setting];
    if (values[field].trim() !== savedValues[field]) Object.assign(update, { [setting]: parsed.data[setting] });
  }
  return { update };
}

/** "2 MiB/s (about 16.8 Mbit/s)": internet plans are sold in megabits. */
export function describeBandwidth(bytesPerSecond: number): string {
  if (bytesPerSecond === 0) return 'no cap';
  const mib = bytesPerSecond / MIB;
  const mbit = (bytesPerSecond * 8) / 1_000_000;
  return `${mib.toLocaleString('en-US', { maximumFractionDigits: 2 })} MiB/s (about ${mbit.toLocaleString('en-US', { maximumFractionDigits: 1 })} Mbit/s)`;
}

export function describePartSize(bytes: number): string {
  return `${(bytes / MIB).toLocaleString('en-US', { maximumFractionDigits: 2 })} MiB`;
}

const plural = (n: number, one: string, many: string) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

/** Each tuned setting as "In force now" words it. */
export const describeSetting: Record<TunedSetting, (value: number) => string> = {
  partSize: describePartSize,
  requestBudget: (n) => plural(n, 'request', 'requests'),
  filesAtOnce: (n) => plural(n, 'large file', 'large files'),
  bandwidthLimit: describeBandwidth,
  requestsPerSecond: (n) => `${n.toLocaleString('en-US')} requests per second per connection`,
};

export interface InForceSetting {
  setting: TunedSetting;
  /** What this process uses now: the saved choice, or the value its host's flag fixed for this run. */
  value: number;
  /** The saved choice when a flag holds another value for this run; null when the saved one is in force. */
  savedWhenFixed: number | null;
}

/** Every tuned setting as in force in the Quire that answered, in the form's order. */
export function inForceSettings(report: SettingsReport): InForceSetting[] {
  return tunedSettings.map((setting) => {
    const fixed = report.fixedHere[setting];
    return fixed === undefined ? { setting, value: report[setting], savedWhenFixed: null } : { setting, value: fixed, savedWhenFixed: report[setting] };
  });
}
