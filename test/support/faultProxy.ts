import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** The S3 operation a request is, from its method and query (enough for the engine's calls). */
export type S3Op = 'create' | 'part' | 'complete' | 'abort' | 'list_parts' | 'put' | 'head' | 'get' | 'list' | 'other';

export interface SeenRequest {
  op: S3Op;
  method: string;
  path: string;
  partNumber: number | null;
}

/**
 * What to do with one request:
 * - forward: pass it on (after any latency);
 * - reset: read part of the body, then destroy the connection (a dropped Wi-Fi mid-request);
 * - stall: accept it and never answer (a dead path the client must time out of);
 * - respond: answer with an S3 error without reaching the server (500, 503 SlowDown, skew...);
 * - swallow: let the server do it, then never deliver the answer (a crash right after the server
 *   acted — the test kills the client while it waits);
 * - corrupt: pass it on with one byte of its body flipped (damage on the way that TCP missed).
 */
export type Action =
  | { kind: 'forward' }
  | { kind: 'reset' }
  | { kind: 'stall' }
  | { kind: 'respond'; status: number; code: string; headers?: Record<string, string> }
  | { kind: 'swallow' }
  | { kind: 'corrupt' };

export type Rule = (request: SeenRequest) => Action | null;

/** Where in a body `corrupt` flips a byte. */
const CORRUPTED_BYTE = 4096;

/**
 * A fault-injecting HTTP proxy between the engine and the real radosgw, on loopback. Tests add
 * rules and flip it offline; it counts the bytes of every request body it forwards, so "bytes
 * sent again after a kill" is measured on the wire, not taken from the engine's own word.
 */
export class FaultProxy {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private rules: Rule[] = [];
  private port = 0;
  latencyMs = 0;
  /** Body bytes the server took (its answer came back). */
  readonly forwardedBodyBytes: Record<S3Op, number> = emptyCounts();
  /** Body bytes that arrived from the client at all, whole or cut off: what the author paid for. */
  readonly receivedBodyBytes: Record<S3Op, number> = emptyCounts();
  readonly seen: SeenRequest[] = [];

  constructor(private readonly upstream: string) {}

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  /** Refuse connections (and drop open ones) until `goOnline`: the endpoint is unreachable. */
  async goOffline(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const socket of this.sockets) socket.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async goOnline(): Promise<void> {
    if (!this.server) await this.start();
  }

  async stop(): Promise<void> {
    await this.goOffline();
  }

  addRule(rule: Rule): () => void {
    this.rules.push(rule);
    return () => {
      this.rules = this.rules.filter((r) => r !== rule);
    };
  }

  /** The next `count` requests of `op` (any op when omitted) get `action`. */
  failNext(count: number, action: Action, op?: S3Op): () => void {
    let left = count;
    return this.addRule((request) => {
      if (left <= 0 || (op && request.op !== op)) return null;
      left -= 1;
      return action;
    });
  }

  /**
   * A SlowDown storm: each request, of any kind, is answered `503 SlowDown` without reaching the
   * server, at random with probability `fraction` (`random` may be seeded for a repeatable storm).
   * The storm ignores how fast the client goes, so slowing down alone never ends it: only retries
   * get the work done. Returns the count of answers it gave and a way to end it.
   */
  slowDownStorm(fraction: number, random: () => number = Math.random): { answered: () => number; stop: () => void } {
    let answered = 0;
    const stop = this.addRule(() => {
      if (random() >= fraction) return null;
      answered += 1;
      return { kind: 'respond', status: 503, code: 'SlowDown' };
    });
    return { answered: () => answered, stop };
  }

  clearRules(): void {
    this.rules = [];
  }

  /** Every byte of file content that crossed the wire (framing not counted), including parts cut off by a kill. */
  sentContentBytes(): number {
    return this.receivedBodyBytes.part + this.receivedBodyBytes.put;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const seen = describe(req);
    this.seen.push(seen);
    const contentOf = contentCounter(req);
    req.on('data', (chunk: Buffer) => {
      this.receivedBodyBytes[seen.op] += contentOf(chunk);
    });
    let action: Action = { kind: 'forward' };
    for (const rule of this.rules) {
      const chosen = rule(seen);
      if (chosen) {
        action = chosen;
        break;
      }
    }
    if (this.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.latencyMs));

    if (action.kind === 'stall') {
      req.resume();
      return; // Never answered; the socket is destroyed when the client gives up or the proxy stops.
    }
    if (action.kind === 'reset') {
      req.once('data', () => req.socket.destroy());
      req.once('end', () => req.socket.destroy());
      return;
    }
    if (action.kind === 'respond') {
      req.resume();
      req.on('end', () => {
        const body = `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${action.code}</Code><Message>injected by the test proxy</Message></Error>`;
        res.writeHead(action.status, { 'Content-Type': 'application/xml', 'Content-Length': Buffer.byteLength(body), ...action.headers });
        res.end(body);
      });
      return;
    }

    const upstream = new URL(this.upstream);
    const forwarded = httpRequest({
      host: upstream.hostname,
      port: upstream.port,
      method: req.method,
      path: req.url,
      headers: req.headers,
    });
    let bytes = 0;
    req.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
    });
    if (action.kind === 'corrupt') {
      // A byte of the file's data, past any framing at the start of the body (aws-chunked puts
      // a chunk's size and signature first): damage in the content, not a malformed request.
      let seen = 0;
      req.on('data', (chunk: Buffer) => {
        const copy = Buffer.from(chunk);
        if (seen <= CORRUPTED_BYTE && CORRUPTED_BYTE < seen + copy.length) copy[CORRUPTED_BYTE - seen]! ^= 0xff;
        seen += copy.length;
        forwarded.write(copy);
      });
      req.on('end', () => forwarded.end());
    } else {
      req.pipe(forwarded);
    }
    forwarded.on('error', () => res.destroy());
    forwarded.on('response', (answer) => {
      // A body counts as sent once the server has taken it.
      this.forwardedBodyBytes[seen.op] += bytes;
      if (action.kind === 'swallow') {
        answer.resume();
        return; // The server acted; the client never hears of it.
      }
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    req.on('aborted', () => forwarded.destroy());
  }
}

function describe(req: IncomingMessage): SeenRequest {
  const url = new URL(req.url ?? '/', 'http://proxy');
  const q = url.searchParams;
  const method = req.method ?? 'GET';
  const partNumber = q.has('partNumber') ? Number(q.get('partNumber')) : null;
  let op: S3Op = 'other';
  if (method === 'POST' && q.has('uploads')) op = 'create';
  else if (method === 'PUT' && partNumber !== null) op = 'part';
  else if (method === 'POST' && q.has('uploadId')) op = 'complete';
  else if (method === 'DELETE' && q.has('uploadId')) op = 'abort';
  else if (method === 'GET' && q.has('uploadId')) op = 'list_parts';
  else if (method === 'PUT') op = 'put';
  else if (method === 'HEAD') op = 'head';
  else if (method === 'GET' && url.pathname.split('/').filter(Boolean).length >= 2) op = 'get';
  else if (method === 'GET') op = 'list';
  return { op, method, path: url.pathname, partNumber };
}

function emptyCounts(): Record<S3Op, number> {
  return { create: 0, part: 0, complete: 0, abort: 0, list_parts: 0, put: 0, head: 0, get: 0, list: 0, other: 0 };
}

/**
 * Counts the file's bytes in a request body as it arrives. An aws-chunked body (a signed part)
 * frames each chunk with its size and signature: the framing is not file content, so it is
 * parsed off, also across the arbitrary pieces the socket delivers.
 */
function contentCounter(req: IncomingMessage): (piece: Buffer) => number {
  if (!String(req.headers['content-encoding'] ?? '').includes('aws-chunked')) return (piece) => piece.length;
  let header = '';
  let dataLeft = 0;
  let crlfLeft = 0;
  return (piece) => {
    let content = 0;
    for (let at = 0; at < piece.length; ) {
      if (dataLeft > 0) {
        const take = Math.min(dataLeft, piece.length - at);
        content += take;
        dataLeft -= take;
        at += take;
        if (dataLeft === 0) crlfLeft = 2;
      } else if (crlfLeft > 0) {
        crlfLeft -= 1;
        at += 1;
      } else {
        const end = piece.indexOf(0x0a, at);
        header += piece.toString('latin1', at, end === -1 ? piece.length : end + 1);
        at = end === -1 ? piece.length : end + 1;
        if (header.endsWith('\n')) {
          dataLeft = Number.parseInt(header, 16) || 0;
          header = '';
        }
      }
    }
    return content;
  };
}
