import type { UploadRow } from '../ledger/schema';
import { suffixedKey } from '../layout/objectKey';
import type { RemoteObject } from '../s3/gateway';
import { QuireError } from '../errors';
import { jobRequest, type TransferContext } from './transferContext';

export interface KeyChoice {
  key: string;
  /** Set when that key already holds exactly this file: nothing needs sending. */
  identical: RemoteObject | null;
}

/**
 * A different object already at the key is never silently replaced: by default the new file is
 * kept beside it as "name (2).ext". The same file (same size and SHA-256) is recognised and not
 * sent again — which is also how a crash right after Complete is healed without re-uploading.
 */
export async function chooseKey(row: UploadRow, sha256: string, context: TransferContext): Promise<KeyChoice> {
  for (let n = 1; n <= 1000; n += 1) {
    const key = n === 1 ? row.objectKey : suffixedKey(row.objectKey, n);
    if (n > 1 && context.repository.keyTakenByAnotherJob(row.connectionId, key, row.id)) continue;
    const remote = await jobRequest(context, () => context.gateway.headObject(key, { uploadId: row.id, signal: context.signal }));
    if (remote && remote.sha256 === sha256 && remote.size === row.size) return { key, identical: remote };
    if (!remote || row.onConflict === 'overwrite') {
      if (key !== row.objectKey) context.repository.update(row.id, { objectKey: key });
      return { key, identical: null };
    }
  }
  throw new QuireError('invalid_name', `${row.sourcePath}: 1,000 different objects named like ${row.objectKey} already exist; choose another destination.`);
}
