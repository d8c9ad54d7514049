import { z } from 'zod';

/**
 * Messages from the contract's schemas reach authors (a CLI flag out of range, a UI field), so
 * they must read like the engine's own: "must be at most 7 days", not "Too big: expected number
 * to be <=604800". A schema's own message wins over these; these replace zod's defaults.
 */
function plainMessage(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? 'is required' : `must be ${article(String(issue.expected))}`;
    case 'too_big':
      return `must be at most ${limit(issue.maximum, issue.origin)}`;
    case 'too_small':
      if (issue.origin === 'string' && issue.minimum === 1) return 'must not be empty';
      if (issue.origin === 'array' && issue.minimum === 1) return 'needs at least one item';
      return `must be at least ${limit(issue.minimum, issue.origin)}`;
    case 'invalid_value':
      return `must be one of: ${issue.values.map(String).join(', ')}`;
    case 'invalid_format':
      return 'is not in the expected form';
    case 'unrecognized_keys':
      return `has unknown ${issue.keys.length === 1 ? 'field' : 'fields'}: ${issue.keys.join(', ')}`;
    case 'invalid_union':
      return 'is not in any of the accepted forms';
    default:
      return undefined;
  }
}

function limit(value: number | bigint, origin: string): string {
  const n = Number(value).toLocaleString('en-US');
  if (origin === 'string') return `${n} characters`;
  if (origin === 'array' || origin === 'set') return `${n} items`;
  return n;
}

function article(type: string): string {
  if (type === 'int') return 'a whole number';
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

z.config({ customError: plainMessage });

/** One line for all of an input's problems, each led by the field it is about. */
export function plainIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues.map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message)).join('; ');
}
