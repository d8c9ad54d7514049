import { connectionInputSchema, GIB, type ConnectionInput } from '../../../shared/connection';
import { connectionPresets, type Provider } from '../../../shared/connectionPresets';
import type { ErrorCode } from '../../../shared/errors';
import { plainIssues } from '../../../shared/plainIssues';

/**
 * The "add a connection" form as plain values: what the author typed, turned into the contract's
 * input, checked by the contract's own schema, and the engine's refusals put back at the field
 * they are about. Kept apart from the component so each rule is one function.
 */

export const sizeUnits = { MiB: 1024 ** 2, GiB: GIB, TiB: 1024 ** 4 } as const;
export type SizeUnit = keyof typeof sizeUnits;

export interface ConnectionFormValues {
  provider: Provider;
  name: string;
  region: string;
  endpoint: string;
  pathStyle: boolean;
  bucket: string;
  accessKeyId: string;
  secret: string;
  cdnBaseUrl: string;
  defaultVisibility: 'private' | 'public-read';
  maxFileSize: string;
  maxFileSizeUnit: SizeUnit;
  allowedFileTypes: string;
  makeDefault: boolean;
}

export type FieldName = Exclude<keyof ConnectionFormValues, 'maxFileSizeUnit'>;

/** A field's message, or the form's own when it is about no one field (a clock off by an hour). */
export interface FormErrors {
  fields: Partial<Record<FieldName, string>>;
  form: string | null;
}

export const noErrors: FormErrors = { fields: {}, form: null };

export function initialValues(provider: Provider = 'digitalocean_spaces', makeDefault = false): ConnectionFormValues {
  return {
    provider,
    name: '',
    region: connectionPresets[provider].defaultRegion,
    endpoint: '',
    pathStyle: true,
    bucket: '',
    accessKeyId: '',
    secret: '',
    cdnBaseUrl: '',
    defaultVisibility: 'private',
    maxFileSize: '5',
    maxFileSizeUnit: 'GiB',
    allowedFileTypes: '',
    makeDefault,
  };
}

/** The values as the contract takes them; blanks become "not given" so the schema's defaults apply. */
export function toConnectionInput(values: ConnectionFormValues): ConnectionInput {
  const preset = connectionPresets[values.provider];
  return {
    name: values.name,
    provider: values.provider,
    region: values.region,
    bucket: values.bucket,
    endpoint: preset.asksEndpoint && values.endpoint.trim() !== '' ? values.endpoint.trim() : undefined,
    pathStyle: preset.asksEndpoint ? values.pathStyle : undefined,
    cdnBaseUrl: values.cdnBaseUrl.trim() === '' ? undefined : values.cdnBaseUrl.trim(),
    defaultVisibility: values.defaultVisibility,
    maxFileSize: sizeInBytes(values),
    allowedFileTypes: values.allowedFileTypes
      .split(/[\s,]+/)
      .map((type) => type.replace(/^\./, ''))
      .filter((type) => type !== ''),
    accessKeyId: values.accessKeyId,
    makeDefault: values.makeDefault,
  };
}

/** "1.5" GiB is meant as bytes rounded; text that is no number stays NaN for the schema to refuse. */
function sizeInBytes(values: ConnectionFormValues): number | undefined {
  const text = values.maxFileSize.trim();
  if (text === '') return undefined;
  const bytes = Number(text) * sizeUnits[values.maxFileSizeUnit];
  return Number.isFinite(bytes) ? Math.round(bytes) : Number.NaN;
}

/** Checks the form with the contract's schema, each problem at its field; null when it may be sent. */
export function validate(values: ConnectionFormValues): FormErrors | null {
  const parsed = connectionInputSchema.safeParse(toConnectionInput(values));
  if (parsed.success) return null;
  const fields: FormErrors['fields'] = {};
  for (const issue of parsed.error.issues) {
    const field = fieldOfPath(issue.path[0]);
    if (!field || fields[field]) continue;
    fields[field] = messageFor(field, issue, values);
  }
  return { fields, form: Object.keys(fields).length === 0 ? plainIssues(parsed.error.issues) : null };
}

function fieldOfPath(segment: PropertyKey | undefined): FieldName | null {
  if (typeof segment !== 'string') return null;
  const known: readonly FieldName[] = ['provider', 'name', 'region', 'endpoint', 'pathStyle', 'bucket', 'accessKeyId', 'secret', 'cdnBaseUrl', 'defaultVisibility', 'maxFileSize', 'allowedFileTypes', 'makeDefault'];
  return (known as readonly string[]).includes(segment) ? (segment as FieldName) : null;
}

/**
 * The schema's message, made whole for a field shown on its own ("is not in the expected form"
 * says nothing next to a URL field), and naming the one bad entry of a list.
 */
function messageFor(field: FieldName, issue: { path: PropertyKey[]; message: string; code: string }, values: ConnectionFormValues): string {
  if (field === 'allowedFileTypes') {
    const index = issue.path[1];
    const entries = toConnectionInput(values).allowedFileTypes ?? [];
    const bad = typeof index === 'number' ? entries[index] : undefined;
    return bad === undefined ? issue.message : `"${bad}": ${issue.message}`;
  }
  if (field === 'endpoint' && issue.code !== 'custom') return 'the endpoint is a web address such as https://s3.example.com';
  if (field === 'cdnBaseUrl') return 'the CDN address is a web address such as https://cdn.example.com';
  if (field === 'maxFileSize' && (issue.code === 'invalid_type' || issue.code === 'too_small')) return 'give the largest file size as a number above zero';
  if (field === 'maxFileSize' && issue.code === 'too_big') return issue.message;
  if (field === 'region' && issue.code !== 'custom') return 'choose or type the region of the bucket';
  if (field === 'bucket' && issue.code === 'invalid_type') return 'the bucket name is required';
  return issue.message;
}

/**
 * Where the engine's refusal belongs in the form. The live test before saving answers with one
 * code per cause; each is shown at the field the author has to change. A preset's endpoint is
 * derived from its region, so an unreachable one is the region's problem there.
 */
export function placeEngineError(code: ErrorCode, message: string, provider: Provider): FormErrors {
  const at = (...names: FieldName[]): FormErrors => ({ fields: Object.fromEntries(names.map((name) => [name, message])), form: null });
  switch (code) {
    case 'invalid_access_key':
      return at('accessKeyId');
    case 'signature_mismatch':
    case 'secret_missing':
      return at('secret');
    case 'no_such_bucket':
      return at('bucket');
    case 'endpoint_unreachable':
      return at(connectionPresets[provider].asksEndpoint ? 'endpoint' : 'region');
    case 'access_denied':
      return at('accessKeyId', 'secret');
    case 'connection_exists':
      return at('name');
    default:
      // clock_skew, a keychain that cannot be reached, anything else: about the whole form.
      return { fields: {}, form: message };
  }
}
