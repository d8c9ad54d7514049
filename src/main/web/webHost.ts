import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { STAGING_PATH_PREFIX } from '../../shared/wire';
import { createApiHandlers } from '../core/api';
import type { Engine } from '../core/engine';
import { acceptedHost, isOwnOrigin, originOf, ownHosts } from './hostCheck';
import { applySecurityHeaders, refuseUpgrade, sendText } from './responses';
import { WebSession } from './session';
import { SocketBridge } from './socketBridge';
import { receiveStagedFile } from './stagingUpload';
import { staticFiles } from './staticFiles';

/** `quire serve`'s port unless told otherwise. */
export const DEFAULT_WEB_PORT = 4780;
export const SOCKET_PATH = '/ws';

export interface WebHostOptions {
  /** Opened (and started, or not) by the caller, who also closes it after the host. */
  engine: Engine;
  /** The built renderer: out/renderer. */
  rendererDir: string;
  /** 0 = any free port (tests, the benchmark); default 4780. */
  port?: number;
}

export interface WebHost {
  /** The address to open, with this run's token. */
  url: string;
  /** An address for another program to open (the system's opener): its token lets one browser in, once, within a minute. */
  oneUseUrl(): string;
  origin: string;
  port: number;
  /** Closes every socket (stopping their calls) and both listeners; the engine stays open. */
  close(): Promise<void>;
}

const NOT_LET_IN = 'Quire does not know this browser yet. Open the address `quire serve` printed in its terminal (it ends in ?token=...); if Quire was restarted since, use the new address it printed.';

/**
 * The local web host: the built UI and the engine's contract for a browser on this machine, with
 * the checks of a loopback UI done in the order that leaks least: the Host header (DNS
 * rebinding) before anything else, then the method, then the token or the session cookie, then
 * Origin for whatever changes state. Commands go only over the WebSocket; the one other write is
 * a drop's bytes (PUT /staging/...). See docs in src/shared/wire.ts.
 */
export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const serveStatic = staticFiles(options.rendererDir);
  // Only loopback addresses are bound: nothing on the network can even connect.
  const ipv4 = newServer();
  await listen(ipv4, '127.0.0.1', options.port ?? DEFAULT_WEB_PORT);
  const port = (ipv4.address() as { port: number }).port;

  const hosts = ownHosts(port);
  const session = new WebSession(port);
  const bridge = new SocketBridge(createApiHandlers(options.engine), options.engine.events);
  const staging = new Set<Promise<void>>();

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    try {
      route(req, res);
    } catch (error) {
      if (!res.headersSent) sendText(res, 500, `Quire could not answer: ${error instanceof Error ? error.message : String(error)}`);
      else res.destroy();
    }
  };

  const route = (req: IncomingMessage, res: ServerResponse) => {
    applySecurityHeaders(res);
    const method = req.method ?? '';
    // A request with a body is answered without reading it: the connection closes after.
    const refuse = (status: number, text: string, headers: Record<string, string> = {}) =>
      sendText(res, status, text, method === 'GET' || method === 'HEAD' ? headers : { ...headers, Connection: 'close' });
    const host = acceptedHost(req, hosts);
    if (!host) return refuse(403, `Refused: this Quire answers only at http://127.0.0.1:${port}/ (the Host header named something else).`);
    // A cross-site form can only GET or POST; nothing here takes a POST.
    if (method !== 'GET' && method !== 'HEAD' && method !== 'PUT') return refuse(405, `${method} is not accepted here.`, { Allow: 'GET, HEAD, PUT' });

    const [rawPath = '/', rawQuery = ''] = (req.url ?? '/').split(/\?(.*)/s, 2);
    const query = new URLSearchParams(rawQuery);
    const token = query.get('token');
    if (token !== null && method !== 'PUT') {
      if (!session.isToken(token)) return refuse(403, `This address's token is not the one this Quire printed. Open the address \`quire serve\` printed in its terminal; if Quire was restarted, use the new address it printed.`);
      query.delete('token');
      const rest = query.size > 0 ? `?${query}` : '';
      // The token leaves the address bar (and the history); the cookie lets this browser in.
      res.writeHead(303, { Location: `${sameOriginPath(rawPath)}${rest}`, 'Set-Cookie': session.setCookieHeader(), 'Cache-Control': 'no-store', 'Content-Length': '0' });
      return res.end();
    }
    if (!session.hasSession(req)) return refuse(401, NOT_LET_IN);

    if (rawPath.startsWith(STAGING_PATH_PREFIX)) {
      if (method !== 'PUT') return refuse(405, 'Staged files are only written here, with PUT.', { Allow: 'PUT' });
      if (!isOwnOrigin(req, host)) return refuse(403, `Refused: a staged file must come from a page of ${originOf(host)}.`);
      const receiving = receiveStagedFile(req, res, options.engine.staging, rawPath).catch(() => void res.destroy());
      staging.add(receiving);
      void receiving.finally(() => staging.delete(receiving));
      return;
    }
    if (method === 'PUT') return refuse(405, 'Only staged files are written here.', { Allow: 'GET, HEAD' });
    serveStatic(req, res);
  };

  // The WebSocket is authenticated here, before it exists: a refused upgrade gets a plain HTTP
  // answer and a closed socket, and never a frame.
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => {});
    const host = acceptedHost(req, hosts);
    if (!host) return refuseUpgrade(socket, 403, `Refused: this Quire answers only at http://127.0.0.1:${port}/.`);
    if ((req.url ?? '').split('?')[0] !== SOCKET_PATH) return refuseUpgrade(socket, 404, `The only WebSocket is ${SOCKET_PATH}.`);
    if (!session.hasSession(req)) return refuseUpgrade(socket, 403, NOT_LET_IN);
    if (!isOwnOrigin(req, host)) return refuseUpgrade(socket, 403, `Refused: the WebSocket is only for pages of ${originOf(host)}.`);
    bridge.accept(req, socket, head);
  };

  const servers = [ipv4];
  ipv4.on('request', onRequest).on('upgrade', onUpgrade);
  // ::1 too, so http://localhost:PORT works where the browser tries IPv6 first; a machine
  // without IPv6 (or with the port taken there) is served on 127.0.0.1 alone.
  const ipv6 = newServer();
  ipv6.on('request', onRequest).on('upgrade', onUpgrade);
  try {
    await listen(ipv6, '::1', port);
    servers.push(ipv6);
  } catch {
    // best effort, as said above
  }

  const origin = `http://127.0.0.1:${port}`;
  let closing: Promise<void> | null = null;
  return {
    url: `${origin}/?token=${session.token}`,
    oneUseUrl: () => `${origin}/?token=${session.issueOneUseToken()}`,
    origin,
    port,
    close: () =>
      (closing ??= (async () => {
        const closed = servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve())));
        await bridge.close();
        // Idle keep-alive connections, and PUTs still streaming (their partial files are removed).
        for (const server of servers) server.closeAllConnections();
        await Promise.allSettled([...staging]);
        await Promise.all(closed);
      })()),
  };
}

function newServer(): Server {
  // No time limit on a whole request: a large staged file takes as long as it takes to stream
  // from the browser. The headers must still come within 30 s.
  return createServer({ requestTimeout: 0, headersTimeout: 30_000 });
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port, exclusive: true }, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** A path on this host only: `//evil.example` (or `/\evil.example`) in a Location would leave it. */
function sameOriginPath(rawPath: string): string {
  return `/${rawPath.replace(/^[/\\]+/, '')}`;
}
