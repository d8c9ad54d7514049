import { createHash, createHmac, createSecretKey, type KeyObject } from 'node:crypto';

/**
 * AWS Signature Version 4 for the requests Quire sends without the SDK (the ones carrying file
 * bytes, see objectWriter.ts). The payload is declared UNSIGNED-PAYLOAD: its integrity is the
 * MD5 the server checks (Content-MD5) or returns (the part's ETag), so no second hash of every
 * byte is spent on the signature. Checked against the SDK's own signer in test/sigV4.test.ts,
 * and by the real server on every upload test.
 */
export interface SigningKeys {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface RequestToSign {
  method: string;
  /** Already URI-encoded (see encodeKeyPath); S3 does not encode it a second time. */
  path: string;
  query: Record<string, string>;
  /** Lower-case names. `host` must be among them. */
  headers: Record<string, string>;
}

export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';

/** Sent but not signed: a proxy or load balancer on the way may consume or rewrite them (the SDK's list, the ones Quire sends). */
const UNSIGNED_HEADERS = new Set(['expect', 'user-agent', 'connection', 'transfer-encoding']);

/**
 * Signs requests for one set of keys and one region. The derived signing key changes once a day;
 * it is kept (as a KeyObject, which Node would otherwise build from the bytes at every HMAC), so
 * a request costs one HMAC and one hash of its headers, not five and one.
 */
export class RequestSigner {
  private derived: { day: string; key: KeyObject } | null = null;

  constructor(
    private readonly keys: SigningKeys,
    private readonly region: string,
  ) {}

  /** Adds x-amz-date, x-amz-content-sha256 and authorization to `request.headers`. */
  sign(request: RequestToSign, date: Date): void {
    const amzDate = date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
    const day = amzDate.slice(0, 8);
    request.headers['x-amz-date'] = amzDate;
    request.headers['x-amz-content-sha256'] = UNSIGNED_PAYLOAD;
    const names = Object.keys(request.headers)
      .filter((name) => !UNSIGNED_HEADERS.has(name))
      .sort();
    const canonicalHeaders = names.map((name) => `${name}:${request.headers[name]!.trim().replace(/\s+/g, ' ')}\n`).join('');
    const signedHeaders = names.join(';');
    const canonicalRequest = [request.method, request.path, canonicalQuery(request.query), canonicalHeaders, signedHeaders, UNSIGNED_PAYLOAD].join('\n');
    const scope = `${day}/${this.region}/s3/aws4_request`;
    const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, createHash('sha256').update(canonicalRequest).digest('hex')].join('\n');
    const signature = createHmac('sha256', this.signingKey(day)).update(stringToSign).digest('hex');
    request.headers.authorization = `AWS4-HMAC-SHA256 Credential=${this.keys.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  }

  private signingKey(day: string): KeyObject {
    if (this.derived?.day === day) return this.derived.key;
    const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();
    const key = createSecretKey(hmac(hmac(hmac(hmac(`AWS4${this.keys.secretAccessKey}`, day), this.region), 's3'), 'aws4_request'));
    this.derived = { day, key };
    return key;
  }
}

/** The query string exactly as signed and as sent: sorted, each name and value encoded. */
export function canonicalQuery(query: Record<string, string>): string {
  return Object.keys(query)
    .sort()
    .map((name) => `${uriEncode(name)}=${uriEncode(query[name]!)}`)
    .join('&');
}

/** An object key as a URL path: every byte but the unreserved ones and `/` percent-encoded. */
export function encodeKeyPath(key: string): string {
  return key.split('/').map(uriEncode).join('/');
}

/** RFC 3986 encoding as SigV4 wants it: encodeURIComponent leaves !'()* alone, SigV4 does not. */
function uriEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
