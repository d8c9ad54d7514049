import { variantKey, type ImageFormat } from '../../../shared/images';
import type { UploadRow } from '../ledger/schema';
import { suffixedKey } from '../layout/objectKey';
import type { ObjectStore } from '../s3/gateway';
import type { UploadRepository } from '../upload/uploadRepository';

/** One object of a set, as its name is chosen: its place in the set and the bytes it will hold. */
export interface SetMember {
  variant: string;
  sha256: string;
  size: number;
}

export interface SetNamePorts {
  gateway: () => Promise<ObjectStore>;
  uploads: UploadRepository;
  signal: AbortSignal;
  /** Keys this set's own earlier version wrote (an image changed after its set was made), with their ETags: free to replace. */
  replaceable: ReadonlyMap<string, string | null>;
}

/** How far "name (n)" goes before the set keeps its first name and each object chooses for itself. */
const MOST_NAMES_TRIED = 100;

/**
 * The name a whole set goes under, so a page can rely on it: "cover.jpg" with "cover-480.webp"...,
 * or, when "keep both" finds other objects there, "cover (2).jpg" with "cover (2)-480.webp"... —
 * never an original under one name and some of its sizes under another. A name is free when each
 * of its keys is empty in the bucket, or already holds exactly that object, and no other unfinished
 * upload is about to take it (a "photo.jpg" and a "photo.png" dropped together make the same
 * sizes). Returns the original's key; each variant's is `variantKey(it, ...)`.
 *
 * If the bucket cannot be asked (offline), the first name stands and each object's own upload
 * chooses as any file's does (a set may then be split, and each object is still kept, never lost).
 */
export async function chooseSetName(row: UploadRow, members: SetMember[], format: ImageFormat, ports: SetNamePorts): Promise<string> {
  if (row.onConflict === 'overwrite') return row.objectKey;
  const keyOf = (base: string, member: SetMember) => (member.variant === 'original' ? base : variantKey(base, member.variant, format));
  try {
    const gateway = await ports.gateway();
    for (let n = 1; n <= MOST_NAMES_TRIED; n += 1) {
      const base = n === 1 ? row.objectKey : suffixedKey(row.objectKey, n);
      if (await nameIsFree(base, members, keyOf, row, gateway, ports)) return base;
    }
  } catch (error) {
    if (ports.signal.aborted) throw error;
  }
  return row.objectKey;
}

async function nameIsFree(base: string, members: SetMember[], keyOf: (base: string, member: SetMember) => string, row: UploadRow, gateway: ObjectStore, ports: SetNamePorts): Promise<boolean> {
  for (const member of members) {
    const key = keyOf(base, member);
    if (ports.uploads.keyTakenByAnotherJob(row.connectionId, key, row.id)) return false;
    const remote = await gateway.headObject(key, { uploadId: row.id, signal: ports.signal });
    const ours = remote !== null && ports.replaceable.has(key) && ports.replaceable.get(key) === remote.etag;
    if (remote && !ours && !(remote.sha256 === member.sha256 && remote.size === member.size)) return false;
  }
  return true;
}
