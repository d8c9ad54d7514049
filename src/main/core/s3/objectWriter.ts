import type { FileHandle } from 'node:fs/promises';
import type { ClientRequest, IncomingMessage } from 'node:http';
import { FileShrankError } from '../upload/fileHashes';
import type { BandwidthLimiter } from './bandwidthLimiter';
import { EndpointClient, S3ResponseError, SKEW_WORTH_TELLING_MS, errorFrom, lowerCase, readText, stripQuotes } from './endpointClient';
import { ChunkSigner, STREAMING_PAYLOAD, canonicalQuery, chunkedLength } from './sigV4';

/**
 * The two requests that carry file bytes (PutObject, UploadPart), sent straight over Node's HTTP
 * client instead of through the SDK. They are nearly all of Quire's requests, and the SDK's
 * middleware costs about a millisecond of CPU each: for a thousand cover images that was more
 * than the upload itself. It also lets a part go out in small reused chunks read from disk and
 * signed on the way, so memory is a chunk per request in flight, not a whole part.
 *
 * Every body is signed with SHA-256 (sigV4.ts): the server refuses one that arrived other than it
 * was read, so what it stores is exactly the file's bytes. A refusal of that kind is damage on the
 * way, not a wrong key, and is tried again (DAMAGED_BODY). Addressing, signing keys, sockets, the
 * server's clock and error answers are the endpoint's (endpointClient.ts), shared with the
 * reader's GETs.
 */
/** Bytes of a file to send as the body, read through `chunk` (a reused buffer). */
export interface FileRangeBody {
  handle: FileHandle;
  path: string;
  offset: number;
  length: number;
  chunk: Buffer;
  /** Told the bytes of this range the socket has taken so far in this attempt (a retry starts again at 0). */
  onSent?: (bytesSentThisAttempt: number) => void;
}

/** A whole small file in memory, with its SHA-256 (hex), or a range of a file streamed from disk. */
export type ObjectBody = { buffer: Buffer; sha256: string } | { file: FileRangeBody };

export interface WriteResult {
  /** The server's ETag: the MD5 of the bytes it stored, which the signature proved are the ones sent. */
  etag: string;
}

/**
 * The error name of a body the server received damaged: a small file's SHA-256 did not match
 * (S3's own code for it), or a part's chunk signature did not (the server says
 * SignatureDoesNotMatch, but the same keys signed the control request before it; see put()).
 */
export const DAMAGED_BODY = 'XAmzContentSHA256Mismatch';



/** Bodies this large first ask the server whether it wants them (an auth error then costs no upload). */
const EXPECT_CONTINUE_BYTES = 1024 * 1024;
/** If the server never answers `Expect: 100-continue`, the body goes anyway after this long. */
const CONTINUE_WAIT_MS = 1000;
/** Slices the bandwidth cap releases at a time (its burst is at least this). */
const CAPPED_SLICE_BYTES = 64 * 1024;

export class ObjectWriter {
  constructor(
    private readonly endpoint: EndpointClient,
    private readonly bandwidth: BandwidthLimiter,
  ) {}

  /** PUT `body` at `key` (with `query`, e.g. an UploadId and part number); resolves on a 2xx answer. */
  async put(key: string, query: Record<string, string>, headers: Record<string, string>, body: ObjectBody, signal?: AbortSignal): Promise<WriteResult> {
    signal?.throwIfAborted();
    const endpoint = this.endpoint;
    const { host, hostname, path } = endpoint.address({ key });
    const signed = { method: 'PUT', path, query, headers: lowerCase(headers) };
    signed.headers.host = host;
    const streamed = 'file' in body;
    if (streamed) {
      signed.headers['content-encoding'] = 'aws-chunked';
      signed.headers['x-amz-decoded-content-length'] = String(body.file.length);
      signed.headers['content-length'] = String(chunkedLength(body.file.length, body.file.chunk.length));
      if (body.file.length >= EXPECT_CONTINUE_BYTES) signed.headers.expect = '100-continue';
    } else {
      signed.headers['content-length'] = String(body.buffer.length);
    }
    const sentAt = Date.now();
    const signedWithOffset = endpoint.clock.offsetMs;
    const signature = endpoint.signer.sign(signed, new Date(sentAt + signedWithOffset), streamed ? STREAMING_PAYLOAD : body.sha256);
    const search = canonicalQuery(query);

    const request = endpoint.send({
      protocol: endpoint.url.protocol,
      hostname,
      port: endpoint.url.port || undefined,
      method: 'PUT',
      path: search ? `${path}?${search}` : path,
      headers: signed.headers,
      agent: endpoint.agent,
      signal,
    });
    // Inactivity, not total time: a 5 GiB part on a slow uplink may take an hour, but a socket
    // silent this long is a dead path, and the request is tried again (the SDK names it so too).
    request.setTimeout(endpoint.idleTimeoutMs, () => request.destroy(endpoint.stalled()));
    const exchange = new Exchange(request);
    try {
      try {
        if ('buffer' in body) await this.writeBuffer(exchange, body.buffer, signal);
        else await this.writeFile(exchange, body.file, new ChunkSigner(signature), signal);
      } catch (error) {
        // A server that answered before taking the whole body (and closed) has said why: that counts.
        if (!exchange.answered) throw error;
      }
      const response = await exchange.race(exchange.response);
      const text = await readText(response);
      if (!exchange.bodyComplete) request.destroy();
      endpoint.learnClock(response, sentAt);
      const status = response.statusCode ?? 0;
      if (status >= 200 && status < 300) return { etag: stripQuotes(String(response.headers.etag ?? '')) };
      // Signed with a clock minutes away from the server's, now corrected: the retry will pass.
      const skewed = Math.abs(endpoint.clock.offsetMs - signedWithOffset) >= SKEW_WORTH_TELLING_MS;
      const error = errorFrom(status, text, response.statusMessage, skewed && status === 403);
      // A part's signature refused: a chunk arrived other than it was sent. The keys themselves
      // signed the control request just before (Create or ListParts, through the SDK), and if
      // they have gone bad since, that request refuses them again at the next attempt, with the
      // message about keys.
      if (streamed && error.name === 'SignatureDoesNotMatch') {
        throw new S3ResponseError(DAMAGED_BODY, `A chunk of ${key} arrived damaged (its signature did not match its bytes); it is sent again.`, status, false);
      }
      throw error;
    } catch (error) {
      request.destroy();
      throw error;
    }
  }

  private async writeBuffer(exchange: Exchange, buffer: Buffer, signal?: AbortSignal): Promise<void> {
    if (this.bandwidth.limit <= 0) exchange.end(buffer);
    else {
      await this.write(exchange, buffer, signal);
      exchange.end();
    }
  }

  /**
   * Reads the range chunk by chunk and sends each as an aws-chunked chunk, signed over its
   * SHA-256; the read buffer is reused once the socket has taken it. Ends with the empty chunk.
   */
  private async writeFile(exchange: Exchange, file: FileRangeBody, signer: ChunkSigner, signal?: AbortSignal): Promise<void> {
    if (file.length >= EXPECT_CONTINUE_BYTES) await exchange.continued();
    file.onSent?.(0);
    for (let done = 0; done < file.length && !exchange.answered; ) {
      signal?.throwIfAborted();
      const want = Math.min(file.chunk.length, file.length - done);
      const { bytesRead } = await file.handle.read(file.chunk, 0, want, file.offset + done);
      if (bytesRead === 0) throw new FileShrankError(file.path, file.offset + done);
      // A short read would change the framing announced in content-length: read the rest first.
      if (bytesRead < want) throw new FileShrankError(file.path, file.offset + done + bytesRead);
      const view = file.chunk.subarray(0, bytesRead);
      exchange.push(Buffer.from(signer.header(view), 'latin1'));
      await this.write(exchange, view, signal);
      exchange.push(CHUNK_END);
      done += bytesRead;
      file.onSent?.(done);
    }
    if (exchange.answered) return;
    exchange.end(Buffer.from(`${signer.header(Buffer.alloc(0))}\r\n`, 'latin1'));
  }

  /** Writes `bytes` whole, or under a cap in slices as the cap releases them; resolves once the socket has them all. */
  private async write(exchange: Exchange, bytes: Buffer, signal?: AbortSignal): Promise<void> {
    if (this.bandwidth.limit <= 0) return exchange.write(bytes);
    for (let at = 0; at < bytes.length && !exchange.answered; at += CAPPED_SLICE_BYTES) {
      const slice = bytes.subarray(at, at + CAPPED_SLICE_BYTES);
      await exchange.race(this.bandwidth.take(slice.length, signal));
      await exchange.write(slice);
    }
  }

}


const CHUNK_END = Buffer.from('\r\n', 'latin1');


/**
 * One request and its answer. The server may answer before the body is all sent (an error, or
 * a refused `Expect: 100-continue`): writing then stops, and the answer is what counts.
 */
class Exchange {
  readonly response: Promise<IncomingMessage>;
  answered = false;
  /** The whole body was written before any answer came. */
  bodyComplete = false;
  private readonly failed: Promise<never>;

  constructor(private readonly request: ClientRequest) {
    this.response = new Promise((resolve) => request.once('response', resolve));
    void this.response.then(() => (this.answered = true));
    this.failed = new Promise((_, reject) => request.once('error', reject));
    // Whoever awaits the failure reports it; nobody awaiting it is not an unhandled rejection.
    this.failed.catch(() => {});
  }

  /** Waits for the server's 100 Continue, its final answer, or CONTINUE_WAIT_MS. */
  continued(): Promise<void> {
    return this.race(
      new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, CONTINUE_WAIT_MS);
        const go = () => {
          clearTimeout(timer);
          resolve();
        };
        this.request.once('continue', go);
        void this.response.then(go);
      }),
    );
  }

  /** A few bytes of framing, queued behind what is being written without waiting for the socket. */
  push(bytes: Buffer): void {
    if (!this.answered) this.request.write(bytes);
  }

  write(chunk: Buffer): Promise<void> {
    return this.race(new Promise<void>((resolve, reject) => this.request.write(chunk, (error) => (error ? reject(error) : resolve()))));
  }

  end(chunk?: Buffer): void {
    if (this.answered) return;
    this.bodyComplete = true;
    if (chunk) this.request.end(chunk);
    else this.request.end();
  }

  /** `step`, unless the request fails first. An early answer lets the step end normally. */
  race<T>(step: Promise<T>): Promise<T> {
    return Promise.race([step, this.failed]);
  }
}



