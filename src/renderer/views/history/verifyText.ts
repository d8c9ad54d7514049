import type { ObjectCheck } from '../../../shared/contract';
import { formatBytes } from '../../../shared/format';

/** What "verify again" found, said plainly: a match with its figures, or each thing that differs. */
export function verifyText(check: ObjectCheck): string {
  const sha = check.sha256 ? `, SHA-256 ${check.sha256.slice(0, 12)}…` : '';
  if (check.matches) return `Matches: the bucket holds exactly the uploaded file (${formatBytes(check.size)}${sha}).`;
  const recorded = check.recorded;
  if (!recorded) return `The bucket has an object at this key (${formatBytes(check.size)}), but Quire has no record of uploading it.`;
  const differences: string[] = [];
  if (recorded.size !== check.size) differences.push(`its size is ${formatBytes(check.size)}, the upload was ${formatBytes(recorded.size)}`);
  if (recorded.sha256 && check.sha256 && recorded.sha256 !== check.sha256) differences.push('its SHA-256 differs from the file uploaded');
  if (recorded.etag && recorded.etag !== check.etag) differences.push('its ETag differs from the one the upload received');
  if (differences.length === 0) differences.push('it cannot be matched with what was uploaded');
  return `Does not match: ${differences.join('; ')}. Something else wrote to this key since; upload the file again if the bucket should hold it.`;
}
