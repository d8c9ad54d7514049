import { TEMP_KEPT_MS, TEMP_PREFIX, type TempObject, type TempRemoval, type TempReport } from '../../../shared/cleanup';
import { printable } from '../../../shared/printable';
import type { ObjectStore } from '../s3/gateway';

/** Objects under temp/ over a day old, oldest first: what the author may remove (and nothing else). */
export async function listOldTemp(gateway: ObjectStore, connection: string, now: number, signal?: AbortSignal): Promise<TempReport> {
  const objects: TempObject[] = [];
  let token: string | null = null;
  do {
    const page = await gateway.listObjectsPage(TEMP_PREFIX, token, { signal });
    for (const object of page.objects) if (now - object.lastModified > TEMP_KEPT_MS) objects.push(object);
    token = page.nextToken;
  } while (token !== null);
  objects.sort((a, b) => a.lastModified - b.lastModified);
  return { connection, objects, bytes: objects.reduce((sum, object) => sum + object.size, 0) };
}

/**
 * Removes the temp objects the author confirmed, each only if it is still listed under temp/ and
 * still over a day old now (a key typed by hand, or one rewritten since the list was shown, stays).
 */
export async function removeOldTemp(gateway: ObjectStore, connection: string, keys: string[], now: number): Promise<TempRemoval> {
  const current = await listOldTemp(gateway, connection, now);
  const removable = new Set(current.objects.map((object) => object.key));
  const removed: string[] = [];
  const kept: TempRemoval['kept'] = [];
  for (const key of new Set(keys)) {
    if (!key.startsWith(TEMP_PREFIX)) kept.push({ key, reason: `${printable(key)} is not under ${TEMP_PREFIX}: only temporary files are removed here.` });
    else if (!removable.has(key)) kept.push({ key, reason: `${printable(key)} is no longer there, or is less than a day old: kept.` });
    else {
      await gateway.deleteObject(key);
      removed.push(key);
    }
  }
  const left = current.objects.filter((object) => !removed.includes(object.key));
  return { connection, objects: left, bytes: left.reduce((sum, object) => sum + object.size, 0), removed, kept };
}
