import type { Agent as HttpAgent, IncomingMessage, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { http } from './httpModule';
import { RequestSigner, encodeKeyPath, type SigningKeys } from './sigV4';

/** Where an endpoint's bucket is. */
export interface EndpointTarget {
  endpoint: string;
  region: string;
  bucket: string;
  pathStyle: boolean;
}

/** The clock correction Quire's own requests and the SDK share (see SharedClock in gateway.ts). */
export interface ServerClock {
  offsetMs: number;
}

/** An S3 error answer, shaped as the SDK's are: `name` is the S3 code. */
export class S3ResponseError extends Error {
  readonly $metadata: { httpStatusCode: number; clockSkewCorrected?: boolean };

  constructor(code: string, message: string, status: number, clockSkewCorrected: boolean) {
    super(message);
    this.name = code;
    this.$metadata = { httpStatusCode: status, ...(clockSkewCorrected ? { clockSkewCorrected } : {}) };
  }
}

/** A correction below this is the request's own latency, not a wrong clock (the SDK's figure). */
export const SKEW_WORTH_TELLING_MS = 240_000;

/**
 * One S3 endpoint as Quire's own requests reach it (the ones sent without the SDK: the writer's
 * PUTs, the reader's GETs): its addressing (path style or virtual host), the SigV4 signer for its
 * keys, one pool of keep-alive sockets, the idle timeout for stalled sockets, and the clock offset
 * learnt from the server's Date header (shared with the SDK client, so a skew corrected by either
 * serves both). Answers that are not 2xx become errors shaped as the SDK's (`name` the S3 code,
 * `$metadata.httpStatusCode`), which retryPolicy.ts reads the same way.
 */
export class EndpointClient {
  readonly signer: RequestSigner;
  readonly agent: HttpAgent;
  readonly send: typeof httpRequest;
  readonly url: URL;
  readonly idleTimeoutMs: number;
  private readonly virtualHost: boolean;

  constructor(
    private readonly target: EndpointTarget,
    keys: SigningKeys,
    readonly clock: ServerClock,
    options: { maxSockets: number; idleTimeoutMs: number },
  ) {
    this.signer = new RequestSigner(keys, target.region);
    this.url = new URL(target.endpoint);
    const https = this.url.protocol === 'https:';
    // Keep-alive matters most for many small files: a new TCP (and TLS) handshake per file costs more than the file.
    this.agent = https ? new HttpsAgent({ keepAlive: true, maxSockets: options.maxSockets }) : new http.Agent({ keepAlive: true, maxSockets: options.maxSockets });
    this.send = https ? httpsRequest : http.request;
    // As the SDK does: a bucket name with dots cannot be a TLS host name, so it goes in the path.
    this.virtualHost = !target.pathStyle && !target.bucket.includes('.');
    this.idleTimeoutMs = options.idleTimeoutMs;
  }

  destroy(): void {
    this.agent.destroy();
  }

  /** Where a request goes: an object's key (or '' for the bucket itself), or a path at the endpoint's root (the admin API). */
  address(at: { key: string } | { servicePath: string }): { host: string; hostname: string; path: string } {
    const basePath = this.url.pathname.replace(/\/+$/, '');
    if ('servicePath' in at) return { host: this.url.host, hostname: this.url.hostname, path: `${basePath}${at.servicePath}` };
    return {
      host: this.virtualHost ? `${this.target.bucket}.${this.url.host}` : this.url.host,
      hostname: this.virtualHost ? `${this.target.bucket}.${this.url.hostname}` : this.url.hostname,
      path: `${basePath}${this.virtualHost ? '' : `/${encodeKeyPath(this.target.bucket)}`}/${encodeKeyPath(at.key)}`,
    };
  }

  /** Drops a socket silent this long: a dead path, and the request is tried again (the SDK names it so too). */
  stalled(): Error {
    return Object.assign(new Error(`No answer from ${this.url.host} for ${this.idleTimeoutMs / 1000} s.`), { name: 'TimeoutError' });
  }

  /** The SDK's rule: the server's Date, less the time the answer took to arrive, unless a cache (Age) served it. */
  learnClock(response: IncomingMessage, sentAt: number): void {
    const date = response.headers.date;
    if (!date || response.headers.age !== undefined) return;
    const serverTime = Date.parse(date);
    const receivedAt = Date.now();
    if (Number.isNaN(serverTime) || receivedAt - sentAt > 900_000) return;
    this.clock.offsetMs = serverTime - receivedAt;
  }
}

/** An error answer as an error: the S3 code and message from its XML, else named by the status. */
export function errorFrom(status: number, text: string, statusMessage: string | undefined, clockSkewCorrected: boolean): S3ResponseError {
  const code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1] ?? STATUS_CODES[status] ?? `Http${status}`;
  const message = /<Message>([^<]*)<\/Message>/.exec(text)?.[1] ?? `HTTP ${status} ${statusMessage ?? ''}`.trim();
  return new S3ResponseError(code, message, status, clockSkewCorrected);
}

/** Names for bodiless error answers, as the SDK gives them. */
const STATUS_CODES: Record<number, string> = { 400: 'BadRequest', 403: 'Forbidden', 404: 'NotFound', 412: 'PreconditionFailed', 429: 'TooManyRequests', 500: 'InternalError', 503: 'ServiceUnavailable' };

/** ETags come quoted on the wire. */
export function stripQuotes(etag: string): string {
  return etag.replace(/^"|"$/g, '');
}

/** An answer's whole body as text (error answers, small bodies). */
export async function readText(response: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Header names as SigV4 signs them. */
export function lowerCase(headers: Record<string, string>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) result[name.toLowerCase()] = value;
  return result;
}

