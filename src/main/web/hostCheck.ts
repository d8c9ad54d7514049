import type { IncomingMessage } from 'node:http';

/**
 * DNS rebinding defence: a page on evil.example can make its own name resolve to 127.0.0.1, and
 * the browser then sends it to us as same-origin to *that* page. What it cannot change is the Host
 * header, which names evil.example. So every request and upgrade must name one of our loopback
 * addresses with our port, before anything else is looked at.
 */
export function ownHosts(port: number): ReadonlySet<string> {
  const names = ['127.0.0.1', 'localhost', '[::1]'];
  // A browser leaves out the port only when it is the scheme's default.
  return new Set(names.flatMap((name) => (port === 80 ? [`${name}:${port}`, name] : [`${name}:${port}`])));
}

/** The Host header if it names us, lower-cased; null for anything else (missing, foreign, other port). */
export function acceptedHost(req: IncomingMessage, hosts: ReadonlySet<string>): string | null {
  const host = req.headers.host?.toLowerCase();
  return host !== undefined && hosts.has(host) ? host : null;
}

/** The origin a page we served has: the scheme and the Host it reached us by. */
export function originOf(host: string): string {
  return `http://${host}`;
}

/**
 * Whether a request was sent by a page of ours. Browsers always send Origin on WebSocket upgrades
 * and on PUTs, so a missing one is a script outside the browser, or a browser we do not know:
 * refused too.
 */
export function isOwnOrigin(req: IncomingMessage, host: string): boolean {
  return req.headers.origin?.toLowerCase() === originOf(host);
}
