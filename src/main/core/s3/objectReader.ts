import type { IncomingMessage } from 'node:http';
import { EndpointClient, SKEW_WORTH_TELLING_MS, errorFrom, readText } from './endpointClient';
import { EMPTY_SHA256, canonicalQuery } from './sigV4';

/**
 * The GETs Quire sends without the SDK: a listing page and the admin API's bucket statistics. The
 * SDK's XML parsing of a thousand-key page cost four times the CPU of reading it and left garbage
 * that grew a scan's memory with the bucket (see listingXml.ts).
 */
export class ObjectReader {
  constructor(private readonly endpoint: EndpointClient) {}

  /**
   * A GET of a key ('' for the bucket itself) or of a path at the endpoint's root. A 2xx answer
   * goes to `reader` piece by piece as it arrives, or is returned whole without one; any other
   * answer is thrown as an S3 error.
   */
  async get(at: { key: string } | { servicePath: string }, query: Record<string, string>, signal?: AbortSignal, reader?: { push(text: string): void }): Promise<string> {
    signal?.throwIfAborted();
    const endpoint = this.endpoint;
    const { host, hostname, path } = endpoint.address(at);
    const signed = { method: 'GET', path, query, headers: { host } as Record<string, string> };
    const sentAt = Date.now();
    const signedWithOffset = endpoint.clock.offsetMs;
    endpoint.signer.sign(signed, new Date(sentAt + signedWithOffset), EMPTY_SHA256);
    const search = canonicalQuery(query);
    const request = endpoint.send({ protocol: endpoint.url.protocol, hostname, port: endpoint.url.port || undefined, method: 'GET', path: search ? `${path}?${search}` : path, headers: signed.headers, agent: endpoint.agent, signal });
    request.setTimeout(endpoint.idleTimeoutMs, () => request.destroy(endpoint.stalled()));
    try {
      const response = await new Promise<IncomingMessage>((resolve, reject) => {
        request.once('response', resolve);
        request.once('error', reject);
        request.end();
      });
      endpoint.learnClock(response, sentAt);
      const status = response.statusCode ?? 0;
      if (status >= 200 && status < 300 && reader) {
        response.setEncoding('utf8');
        for await (const text of response) reader.push(text as string);
        return '';
      }
      const text = await readText(response);
      if (status >= 200 && status < 300) return text;
      const skewed = Math.abs(endpoint.clock.offsetMs - signedWithOffset) >= SKEW_WORTH_TELLING_MS;
      throw errorFrom(status, text, response.statusMessage, skewed && status === 403);
    } catch (error) {
      request.destroy();
      throw error;
    }
  }
}
