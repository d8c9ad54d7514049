import type { ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ErrorData } from '../../shared/errors';
import { CONTENT_SECURITY_POLICY } from '../contentSecurityPolicy';

/**
 * Headers on every answer of the web host, pages and refusals alike: the desktop window's CSP, no
 * MIME sniffing, no referrer (a URL could still carry the token on the first load), no framing
 * (clickjacking). There are no CORS headers anywhere: nothing here is for other origins.
 */
export function applySecurityHeaders(res: ServerResponse): void {
  res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
}

/**
 * A short plain-text answer: refusals say what to do in words, and as text/plain nothing in them
 * can run as a page.
 */
export function sendText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  const body = Buffer.from(`${text}\n`, 'utf8');
  res.writeHead(status, { ...headers, 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': String(body.length), 'Cache-Control': 'no-store' });
  res.end(body);
}

/** A JSON answer, in the contract's Outcome shape where it carries one. */
export function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  const body = Buffer.from(JSON.stringify(value), 'utf8');
  res.writeHead(status, { ...headers, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': String(body.length), 'Cache-Control': 'no-store' });
  res.end(body);
}

export function sendError(res: ServerResponse, status: number, error: ErrorData, headers: Record<string, string> = {}): void {
  sendJson(res, status, { ok: false, error }, headers);
}

/**
 * Refuses a WebSocket upgrade before any WebSocket exists: a plain HTTP answer written on the
 * raw socket, which is then closed. The browser's page sees only that the connection failed.
 */
export function refuseUpgrade(socket: Duplex, status: 401 | 403 | 404, reason: string): void {
  const phrase = { 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found' }[status];
  const body = Buffer.from(`${reason}\n`, 'utf8');
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  // Ended, then destroyed once the answer is out (a destroy right away could drop it).
  socket.once('finish', () => socket.destroy());
  socket.end(Buffer.concat([Buffer.from(`HTTP/1.1 ${status} ${phrase}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${body.length}\r\nCache-Control: no-store\r\n\r\n`, 'latin1'), body]));
}
