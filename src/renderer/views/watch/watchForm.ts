import type { ErrorCode } from '../../../shared/errors';
import { plainIssues } from '../../../shared/plainIssues';
import { watchAddInputSchema, type WatchAddInput } from '../../../shared/watch';
import { optimizeOf, type ImagesChoice } from '../../components/imageWords';
import type { TypeChoice } from '../upload/uploadPlan';

/**
 * The "watch a folder" form as plain values: what the author typed, turned into the contract's
 * `watch.add` input, checked by the contract's own schema, and the engine's refusals put back at
 * the field they are about. Kept apart from the component so each rule is one function.
 */

export interface WatchFormValues {
  path: string;
  /** A connection's name; empty for the default connection. */
  connection: string;
  /** Folder in the bucket; empty: each file under its type's folder. */
  to: string;
  type: TypeChoice;
  /** Globs, one a line or separated by commas. */
  include: string;
  exclude: string;
  poll: boolean;
  /** Off unless the author ticks it: files deleted from the folder are deleted from the bucket too. */
  syncDeletes: boolean;
  /** The guard's share as typed ("25", "25%"); only read while syncDeletes is ticked. */
  deleteGuardPercent: string;
  /** Whether the folder's images get a web set: as settings say, always, or never. */
  images: ImagesChoice;
}

export type WatchFieldName = keyof WatchFormValues;

export interface WatchFormErrors {
  fields: Partial<Record<WatchFieldName, string>>;
  /** About no one field: said above the buttons, as the engine said it. */
  form: string | null;
}

export const noWatchErrors: WatchFormErrors = { fields: {}, form: null };

/** The contract's own default and range for the guard, shown in the field rather than repeated here. */
const guardSchema = watchAddInputSchema.shape.deleteGuardPercent;
export const defaultDeleteGuardPercent: number = guardSchema.parse(undefined);
const guardRange = { min: guardSchema.unwrap().minValue ?? 1, max: guardSchema.unwrap().maxValue ?? 100 };

export function initialWatchValues(connection = ''): WatchFormValues {
  return { path: '', connection, to: '', type: 'auto', include: '', exclude: '', poll: false, syncDeletes: false, deleteGuardPercent: String(defaultDeleteGuardPercent), images: 'settings' };
}

/**
 * Globs split at newlines and at commas outside braces: `*.{wav,mp3}` is one pattern (a brace
 * list is how a glob says "either"), `*.tmp, drafts/**` is two.
 */
export function splitPatterns(text: string): string[] {
  const patterns: string[] = [];
  let current = '';
  let depth = 0;
  for (const char of text) {
    if (char === '{') depth += 1;
    if (char === '}' && depth > 0) depth -= 1;
    if (char === '\n' || char === '\r' || (char === ',' && depth === 0)) {
      patterns.push(current);
      current = '';
      continue;
    }
    current += char;
  }
  patterns.push(current);
  return patterns.map((pattern) => pattern.trim()).filter((pattern) => pattern !== '');
}

/** The values as the contract takes them; blanks become "not given" so the schema's defaults apply. */
export function toWatchInput(values: WatchFormValues): WatchAddInput {
  return {
    // A path pasted from a terminal often brings a newline or a space with it.
    path: values.path.trim(),
    connection: values.connection === '' ? undefined : values.connection,
    to: values.to.trim() === '' ? undefined : values.to.trim(),
    type: values.type === 'auto' ? undefined : values.type,
    include: splitPatterns(values.include),
    exclude: splitPatterns(values.exclude),
    poll: values.poll,
    syncDeletes: values.syncDeletes,
    // Unticked, the field is hidden: whatever it holds is not the author's choice, so not sent.
    deleteGuardPercent: values.syncDeletes ? parsePercent(values.deleteGuardPercent) : undefined,
    optimize: optimizeOf(values.images),
  };
}

/** "25", " 25 %" and "25%" are 25; text that is no number stays NaN for the schema to refuse. */
function parsePercent(text: string): number {
  const normalized = text.trim().replace(/\s*%$/, '').replace(',', '.');
  return normalized === '' ? Number.NaN : Number(normalized);
}

const fieldNames: readonly WatchFieldName[] = ['path', 'connection', 'to', 'type', 'include', 'exclude', 'poll', 'syncDeletes', 'deleteGuardPercent'];

/** Checks the form with the contract's schema, each problem at its field; null when it may be sent. */
export function validateWatch(values: WatchFormValues): WatchFormErrors | null {
  const input = toWatchInput(values);
  const parsed = watchAddInputSchema.safeParse(input);
  if (parsed.success) return null;
  const fields: WatchFormErrors['fields'] = {};
  for (const issue of parsed.error.issues) {
    const segment = issue.path[0];
    if (typeof segment !== 'string' || !(fieldNames as readonly string[]).includes(segment)) continue;
    const field = segment as WatchFieldName;
    if (fields[field]) continue;
    fields[field] = messageFor(field, issue, input);
  }
  return { fields, form: Object.keys(fields).length === 0 ? plainIssues(parsed.error.issues) : null };
}

/** The schema's message, naming the one bad pattern of a list and made whole for a field shown alone. */
function messageFor(field: WatchFieldName, issue: { path: PropertyKey[]; message: string; code: string }, input: WatchAddInput): string {
  if (field === 'include' || field === 'exclude') {
    const index = issue.path[1];
    const bad = typeof index === 'number' ? (input[field] ?? [])[index] : undefined;
    if (bad !== undefined) return `“${bad}”: ${issue.message}`;
    if (issue.code === 'too_big') return `${issue.message} (patterns)`;
    return issue.message;
  }
  if (field === 'to' && issue.code === 'too_big') return `the folder in the bucket ${issue.message}`;
  if (field === 'path' && issue.code === 'too_big') return `the folder’s path ${issue.message}`;
  // The schema words its range ("the guard is at least 1%"); text or a fraction gets what to type.
  if (field === 'deleteGuardPercent' && issue.code !== 'too_small' && issue.code !== 'too_big') return `give the guard as a whole number of percent from ${guardRange.min} to ${guardRange.max}, such as ${defaultDeleteGuardPercent}`;
  return issue.message;
}

/**
 * Where the engine's refusal belongs in the form. What the page's schema cannot know is about the
 * folder (not there, not readable, not a full path, watched already or inside a watched one: the
 * engine's `usage` refusals of watch.add are all about the path) or the connection; anything else
 * (the ledger cannot be written) above the buttons, in the engine's own words.
 */
export function placeWatchEngineError(code: ErrorCode, message: string): WatchFormErrors {
  switch (code) {
    case 'file_missing':
    case 'file_unreadable':
    case 'invalid_name':
    case 'usage':
      return { fields: { path: message }, form: null };
    case 'connection_not_found':
      return { fields: { connection: message }, form: null };
    default:
      return { fields: {}, form: message };
  }
}
