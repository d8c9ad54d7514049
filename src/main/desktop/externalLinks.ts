import type { ConnectionSummary } from '../../shared/connection';
import { objectUrl } from '../../shared/objectUrl';

/**
 * Whether the window may open this address in the author's browser: only https, and only an
 * address Quire builds — an object's public URL or share link, under one of the author's
 * connections (its CDN, or its bucket's own address). Anything else a page might ask for (a
 * script-injected link, a redirect) is refused: the window is not a browser.
 */
export function isQuireBuiltUrl(address: string, connections: readonly Pick<ConnectionSummary, 'endpoint' | 'bucket' | 'cdnBaseUrl' | 'pathStyle'>[]): boolean {
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    return false;
  }
  if (url.protocol !== 'https:' || url.username || url.password) return false;
  return connections.some((connection) =>
    // An object's address starts as the address of an object named "": under the CDN (public
    // objects) or the bucket's own (share links are signed there, CDN or not).
    [objectUrl(connection, ''), objectUrl({ ...connection, cdnBaseUrl: null }, '')].some((prefix) => {
      const base = new URL(prefix);
      return base.protocol === 'https:' && url.origin === base.origin && url.pathname.startsWith(base.pathname);
    }),
  );
}
