import { createHash, createHmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { describe, expect, it } from 'vitest';
import { ChunkSigner, RequestSigner, STREAMING_PAYLOAD, UNSIGNED_PAYLOAD, chunkedLength, encodeKeyPath } from '../src/main/core/s3/sigV4';

/** node:crypto in the shape the SDK's signer takes (an HMAC when given a secret). */
type Bytes = string | ArrayBuffer | ArrayBufferView;
const toBuffer = (data: Bytes) => (typeof data === 'string' ? Buffer.from(data) : ArrayBuffer.isView(data) ? Buffer.from(data.buffer, data.byteOffset, data.byteLength) : Buffer.from(data));

class NodeSha256 {
  private readonly hash;
  constructor(secret?: Bytes) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', toBuffer(secret));
  }
  update(data: Bytes): void {
    this.hash.update(toBuffer(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

const keys = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const reference = new SignatureV4({ credentials: keys, region: 'nyc3', service: 's3', sha256: NodeSha256, uriEscapePath: false, applyChecksum: false });

/**
 * Quire's signer (used for the requests that carry file bytes) must sign exactly as the SDK's
 * does: the SDK's signer is the reference here, over keys and query values that need encoding.
 * The real server checks signatures too, on every upload test; this pins down the edge cases.
 */
describe('SigV4 signing of uploads', () => {
  it.each([
    ['books/covers/cover.jpg', {}],
    ['audiobooks/chapters/Chapter 01 – the beginning (take 2)!.wav', { partNumber: '7', uploadId: '2~abc+def/ghi=' }],
    ["authors/media/O'Brien * notes [draft].docx", {}],
    ['books/content/日本語の本.epub', { partNumber: '10000', uploadId: 'x' }],
  ])('signs %s like the SDK', async (key, query: Record<string, string>) => {
    const date = new Date('2026-11-24T12:34:56.789Z');
    const path = `/bucket/${encodeKeyPath(key)}`;
    const headers: Record<string, string> = {
      host: '127.0.0.1:7480',
      'content-length': '65536',
      'content-type': 'audio/wav',
      'content-md5': 'XrY7u+Ae7tCTyyK7j1rNww==',
      'x-amz-acl': 'private',
      'x-amz-meta-sha256': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      'if-none-match': '*',
    };
    const ours = { method: 'PUT', path, query, headers: { ...headers } };
    new RequestSigner(keys, 'nyc3').sign(ours, date);

    const theirs = await reference.sign(
      { method: 'PUT', protocol: 'http:', hostname: '127.0.0.1', port: 7480, path, query, headers: { ...headers, 'x-amz-content-sha256': UNSIGNED_PAYLOAD } },
      { signingDate: date },
    );
    expect(ours.headers.authorization).toBe(theirs.headers.authorization);
    expect(ours.headers['x-amz-date']).toBe(theirs.headers['x-amz-date']);
  });

  it('leaves Expect out of the signature, as the SDK does (proxies may consume it)', async () => {
    const date = new Date('2026-11-24T00:00:00Z');
    const headers: Record<string, string> = { host: 'bucket.nyc3.digitaloceanspaces.com', 'content-length': '10485760', expect: '100-continue' };
    const ours = { method: 'PUT', path: '/chapter.wav', query: { partNumber: '1', uploadId: 'u' }, headers: { ...headers } };
    new RequestSigner(keys, 'nyc3').sign(ours, date);
    const theirs = await reference.sign({ method: 'PUT', protocol: 'https:', hostname: 'bucket.nyc3.digitaloceanspaces.com', path: ours.path, query: ours.query, headers: { ...headers, 'x-amz-content-sha256': UNSIGNED_PAYLOAD } }, { signingDate: date });
    expect(ours.headers.authorization).not.toContain('expect');
    expect(ours.headers.authorization).toBe(theirs.headers.authorization);
  });

  it.each([
    ['a small file, over its SHA-256', createHash('sha256').update('cover bytes').digest('hex')],
    ['a streamed part, its chunks signed one by one', STREAMING_PAYLOAD],
  ])('signs the payload of %s like the SDK', async (_what, payload) => {
    const date = new Date('2026-11-24T08:00:00Z');
    const headers: Record<string, string> = { host: '127.0.0.1:7480', 'content-length': '11', 'x-amz-decoded-content-length': '11', 'content-encoding': 'aws-chunked' };
    const ours = { method: 'PUT', path: '/bucket/books/covers/cover.jpg', query: {}, headers: { ...headers } };
    const seed = new RequestSigner(keys, 'nyc3').sign(ours, date, payload);
    const theirs = await reference.sign({ method: 'PUT', protocol: 'http:', hostname: '127.0.0.1', port: 7480, path: ours.path, headers: { ...headers, 'x-amz-content-sha256': payload } }, { signingDate: date });
    expect(ours.headers['x-amz-content-sha256']).toBe(payload);
    expect(ours.headers.authorization).toBe(theirs.headers.authorization);
    expect(ours.headers.authorization).toContain(`Signature=${seed.signature}`);
  });

  it('frames an aws-chunked body to exactly the length it announces, each chunk signed after the one before', () => {
    const seed = new RequestSigner(keys, 'nyc3').sign({ method: 'PUT', path: '/b/k', query: {}, headers: { host: 'h' } }, new Date('2026-11-24T08:00:00Z'), STREAMING_PAYLOAD);
    for (const [length, chunkSize] of [[0, 1024], [1, 1024], [1024, 1024], [1025, 1024], [10 * 1024 * 1024 + 7, 1024 * 1024]] as const) {
      const signer = new ChunkSigner(seed);
      const data = Buffer.alloc(length, 0x61);
      const signatures: string[] = [];
      let framed = 0;
      const frame = (chunk: Buffer) => {
        const header = signer.header(chunk);
        expect(header).toMatch(/^[0-9a-f]+;chunk-signature=[0-9a-f]{64}\r\n$/);
        signatures.push(header.split('=')[1]!);
        framed += header.length + chunk.length + 2;
      };
      for (let at = 0; at < length; at += chunkSize) frame(data.subarray(at, Math.min(at + chunkSize, length)));
      frame(Buffer.alloc(0));
      expect(framed).toBe(chunkedLength(length, chunkSize));
      // Chained: no two chunks (not even two equal ones) share a signature.
      expect(new Set(signatures).size).toBe(signatures.length);
    }
  });

  it('encodes every key byte but the unreserved ones and the slashes', () => {
    expect(encodeKeyPath("a b/c+d/e!'()*~._-")).toBe('a%20b/c%2Bd/e%21%27%28%29%2A~._-');
  });
});
