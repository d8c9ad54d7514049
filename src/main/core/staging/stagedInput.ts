import { sep } from 'node:path';
import type { EnqueueInput } from '../../../shared/upload';
import type { StagingArea } from './stagingArea';

/**
 * A browser drop names its files by their paths inside the drop (`My Book/ch1.wav`); the engine
 * reads them from the staging batch they were streamed into. These two turn the one into the
 * other and back, so keys are made from the drop's own names and every message names the file
 * as the author dropped it, never a path inside Quire's data folder.
 */
export function toStaged(input: EnqueueInput, staging: StagingArea): { input: EnqueueInput; batchDir: string | null } {
  if (!input.staged) return { input, batchDir: null };
  const batch = input.staged;
  return { input: { ...input, staged: undefined, paths: input.paths.map((path) => staging.resolve(batch, path)) }, batchDir: staging.batchDir(batch) };
}

export function fromStaging<T extends { path: string }>(entries: T[], batchDir: string | null): T[] {
  if (!batchDir) return entries;
  const inside = (text: string) => text.split(`${batchDir}${sep}`).join('');
  return entries.map((entry) => {
    const withPath = { ...entry, path: inside(entry.path) };
    if ('error' in withPath && withPath.error && typeof withPath.error === 'object') {
      const error = withPath.error as { message: string };
      return { ...withPath, error: { ...error, message: inside(error.message) } };
    }
    if ('reason' in withPath && typeof withPath.reason === 'string') return { ...withPath, reason: inside(withPath.reason) };
    return withPath;
  });
}
