import type { PlannedFile } from '../../../shared/upload';
import { suffixedKey } from '../layout/objectKey';
import type { ObjectStore } from '../s3/gateway';
import { Semaphore } from '../util/semaphore';

/** A preview asks the bucket about this many keys at most; the rest say "not asked". */
const MAX_KEYS_ASKED = 1000;
const KEYS_ASKED_AT_ONCE = 8;
/** A preview is for reading now: an endpoint that does not answer in this time is "not known". */
const PREVIEW_DEADLINE_MS = 10_000;

type Existing = Pick<PlannedFile, 'existing' | 'existingUnknown'>;

/**
 * For each key, whether the bucket already holds an object there, and under which key the new
 * file would then be kept ("cover (2).jpg", as the upload itself chooses when it runs; the
 * choice is made again then, so this is what the author should expect, not a promise).
 */
export async function findExistingObjects(keys: string[], gateway: ObjectStore, options: { keepBoth: boolean; keyTaken: (key: string) => boolean }): Promise<Existing[]> {
  const deadline = AbortSignal.timeout(PREVIEW_DEADLINE_MS);
  const askers = new Semaphore(KEYS_ASKED_AT_ONCE);
  let unreachable = false;
  const head = async (key: string) => {
    if (unreachable) throw new Error('not asked');
    try {
      return await gateway.headObject(key, { signal: deadline });
    } catch (error) {
      unreachable = true;
      throw error;
    }
  };
  return Promise.all(
    keys.map((key, index) =>
      askers.run(async (): Promise<Existing> => {
        if (index >= MAX_KEYS_ASKED) return { existing: null, existingUnknown: true };
        try {
          const remote = await head(key);
          if (!remote) return { existing: null };
          if (!options.keepBoth) return { existing: { keptAs: null, size: remote.size } };
          for (let n = 2; n <= 50; n += 1) {
            const candidate = suffixedKey(key, n);
            if (options.keyTaken(candidate)) continue;
            if (!(await head(candidate))) return { existing: { keptAs: candidate, size: remote.size } };
          }
          return { existing: { keptAs: null, size: remote.size }, existingUnknown: true };
        } catch {
          return { existing: null, existingUnknown: true };
        }
      }),
    ),
  );
}
