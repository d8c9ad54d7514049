import { Agent as HttpsAgent } from 'node:https';
import type { S3Client } from '@aws-sdk/client-s3';
import type { ConnectionSummary } from '../../../shared/connection';
import { BandwidthLimiter } from './bandwidthLimiter';
import { http } from './httpModule';
import { ListPageReader, type ObjectVisitor, type PageRest } from './listingXml';
import { EndpointClient, stripQuotes, type ServerClock } from './endpointClient';
import { ObjectReader } from './objectReader';
import { ObjectWriter, type FileRangeBody, type WriteResult } from './objectWriter';
import { RequestPacer } from './requestPacer';
import { httpStatusOf, isThrottled } from './retryPolicy';
import { loadSdk, type Sdk } from './sdk';
import { withRetries } from './withRetries';

export interface OperationRecord {
  /** The connection the request went to (also for requests no upload owns: tests, listings, the janitor). */
  connectionId: string;
  operation: string;
  objectKey: string | null;
  httpMethod: string;
  bytesSent: number;
  durationMs: number;
  httpStatus: number | null;
  success: boolean;
  errorCode: string | null;
  startedAt: number;
  uploadId: string | null;
}

export type OperationRecorder = (record: OperationRecord) => void;

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface RemoteObject {
  size: number;
  etag: string;
  sha256: string | null;
  lastModified: number | null;
}

export interface RemotePart {
  partNumber: number;
  etag: string;
  size: number;
}

/** One page of a listing: keys and sizes only (a scan keeps counters, not lists). */
export interface ObjectPage {
  objects: { key: string; size: number; lastModified: number }[];
  /** With a delimiter: the prefixes one level down. */
  prefixes: string[];
  nextToken: string | null;
}

/** A page of a listing counted per group (see S3Gateway.countObjectsPage): group -> [objects, bytes]. */
export interface CountedPage {
  counts: Record<string, [objects: number, bytes: number]>;
  prefixes: string[];
  nextToken: string | null;
}

/** What the server itself counts in a bucket (see S3Gateway.bucketStats). */
export interface BucketStats {
  objects: number;
  bytes: number;
}

export interface RemoteMultipartUpload {
  key: string;
  /** S3's UploadId (not a Quire upload id). */
  s3UploadId: string;
  initiated: number;
}

interface RequestOptions {
  /** The Quire upload (the ledger row) the request works for, if any: the operation log names it. */
  uploadId?: string | null;
  signal?: AbortSignal;
  /**
   * false: one try only, for a request whose retry needs the caller's own care first (a
   * CreateMultipartUpload whose lost answer may have left an upload open).
   */
  retry?: boolean;
}

export interface GatewayOptions {
  maxSockets?: number;
  /** Shared by every gateway of one connection's uploads; a fresh unpaced one when omitted. */
  pacer?: RequestPacer;
  /** The author's global upload cap, shared by every gateway. */
  bandwidth?: BandwidthLimiter;
  /** A socket silent this long is dropped (a stalled path), so the request can be tried again. */
  requestIdleTimeoutMs?: number;
  /** Tries per request (retryPolicy.ts decides which failures are worth another). */
  maxAttempts?: number;
  /** Told of every retry, with the Quire upload it was for: the ledger counts them for the author. */
  onRetry?: (uploadId: string | null) => void;
}

/** The loaded SDK with this gateway's client. */
interface SdkClient extends Pick<Sdk, 's3' | 'getSignedUrl'> {
  client: S3Client;
}

/** Both write calls carry the same object settings; named once so they cannot drift apart. */
export interface ObjectSettings {
  contentType: string;
  visibility: 'private' | 'public-read';
  sha256: string;
  /** More x-amz-meta-* of the object (an image variant's width, height, source SHA-256): ASCII names and values. */
  metadata?: Readonly<Record<string, string>>;
}

/**
 * Every S3 request Quire makes goes through here: paced below the provider's limits, retried by
 * the one retry rule (retryPolicy.ts), recorded in the operations table (the platform specs'
 * spaces_operations) with its duration, bytes and outcome, with the client configured once for
 * radosgw/Spaces quirks. The engine keeps one per connection (gatewayPool.ts).
 */
export class S3Gateway {
  /** The endpoint as Quire's own requests reach it: addressing, signing, sockets, the server's clock. */
  private readonly endpoint: EndpointClient;
  /** PutObject and UploadPart: the requests that carry file bytes, sent without the SDK. */
  private readonly writer: ObjectWriter;
  /** Listings and bucket statistics, read without the SDK. */
  private readonly reader: ObjectReader;
  private readonly pacer: RequestPacer | null;
  private readonly clock = new SharedClock();
  /** The SDK's client, made on the first control request (see sdk.ts). */
  private sdkClient: Promise<SdkClient> | null = null;

  constructor(
    readonly connection: ConnectionSummary,
    private readonly credentials: Credentials,
    private readonly record: OperationRecorder = () => {},
    private readonly options: GatewayOptions = {},
  ) {
    this.pacer = options.pacer ?? null;
    this.endpoint = new EndpointClient(connection, credentials, this.clock, {
      maxSockets: options.maxSockets ?? DEFAULT_MAX_SOCKETS,
      idleTimeoutMs: options.requestIdleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
    });
    this.writer = new ObjectWriter(this.endpoint, options.bandwidth ?? new BandwidthLimiter(0));
    this.reader = new ObjectReader(this.endpoint);
  }

  private sdk(): Promise<SdkClient> {
    this.sdkClient ??= loadSdk().then(({ s3, NodeHttpHandler, getSignedUrl }) => {
      const maxSockets = this.options.maxSockets ?? DEFAULT_MAX_SOCKETS;
      const client = new s3.S3Client({
        endpoint: this.connection.endpoint,
        region: this.connection.region,
        forcePathStyle: this.connection.pathStyle,
        credentials: this.credentials,
        // Retries are Quire's own (retryPolicy.ts), recorded in the ledger and visible to the author.
        maxAttempts: 1,
        // Every failed request is recorded in the operations table; the SDK's console warnings
        // (a failed streaming body, say) would only scribble over the CLI's progress view.
        logger: SILENT_LOGGER,
        // The SDK's default adds CRC32 checksums (aws-chunked trailers for bodies), which radosgw 16
        // (the engine behind Spaces) refuses; the body-carrying PUTs are the writer's anyway.
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
        requestHandler: new NodeHttpHandler({
          // Control requests come one or two per file (HEAD, Create, Complete): keep their connections too.
          httpAgent: new http.Agent({ keepAlive: true, maxSockets }),
          httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets }),
          connectionTimeout: 10_000,
          // Inactivity, not total time: a 5 GiB part on a slow uplink may take an hour, but a
          // socket silent for a minute is a dead path (the SDK's requestTimeout only warns).
          socketTimeout: this.options.requestIdleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
        }),
      });
      this.clock.attach(client.config as { systemClockOffset?: number });
      return { s3, client, getSignedUrl };
    });
    return this.sdkClient;
  }

  /** Tries per request; a caller that retries a request itself (retry: false) keeps to the same. */
  get maxAttempts(): number {
    return this.options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  }

  destroy(): void {
    this.endpoint.destroy();
    void this.sdkClient?.then(({ client }) => client.destroy());
  }

  private send<T>(operation: string, httpMethod: string, key: string | null, bytes: number, options: RequestOptions, call: () => Promise<T>): Promise<T> {
    const once = () => this.sendOnce(operation, httpMethod, key, bytes, options, call);
    if (options.retry === false) return once();
    return withRetries(once, { maxAttempts: this.maxAttempts, signal: options.signal, onRetry: () => this.options.onRetry?.(options.uploadId ?? null) });
  }

  private async sendOnce<T>(operation: string, httpMethod: string, key: string | null, bytes: number, options: RequestOptions, call: () => Promise<T>): Promise<T> {
    const ticket = await this.pacer?.take(options.signal);
    const startedAt = Date.now();
    const started = performance.now();
    try {
      const result = await call();
      const status = httpStatusOf(result) ?? 200;
      this.record({ connectionId: this.connection.id, operation, objectKey: key, httpMethod, bytesSent: bytes, durationMs: Math.round(performance.now() - started), httpStatus: status, success: true, errorCode: null, startedAt, uploadId: options.uploadId ?? null });
      return result;
    } catch (error) {
      const e = error as { name?: string; code?: string };
      // The ticket says when this request was let go: an answer to one sent before the last cut is not news.
      if (isThrottled(error)) this.pacer?.slowDown(ticket);
      this.record({ connectionId: this.connection.id, operation, objectKey: key, httpMethod, bytesSent: 0, durationMs: Math.round(performance.now() - started), httpStatus: httpStatusOf(error) ?? null, success: false, errorCode: e.code ?? e.name ?? 'Error', startedAt, uploadId: options.uploadId ?? null });
      throw error;
    }
  }

  /** A request through the SDK (loaded by the first one), recorded like every other. */
  private control<T>(operation: string, httpMethod: string, key: string | null, options: RequestOptions, call: (sdk: SdkClient) => Promise<T>): Promise<T> {
    return this.send(operation, httpMethod, key, 0, options, async () => call(await this.sdk()));
  }

  /** The cheapest call that proves the bucket exists and the keys may read it. */
  async listOneKey(): Promise<void> {
    await this.control('list', 'GET', null, {}, ({ s3, client }) => client.send(new s3.ListObjectsV2Command({ Bucket: this.connection.bucket, MaxKeys: 1 })));
  }

  /**
   * Does the endpoint answer at all? Any HTTP answer, even an error, means the network path is
   * back; only a failure to connect (or silence) means still offline.
   */
  async probe(signal?: AbortSignal): Promise<boolean> {
    try {
      await this.control('probe', 'HEAD', null, { signal, retry: false }, ({ s3, client }) => client.send(new s3.HeadBucketCommand({ Bucket: this.connection.bucket }), { abortSignal: signal }));
      return true;
    } catch (error) {
      return httpStatusOf(error) !== undefined;
    }
  }

  async headObject(key: string, options: RequestOptions = {}): Promise<RemoteObject | null> {
    try {
      const head = await this.control('head', 'HEAD', key, options, ({ s3, client }) =>
        client.send(new s3.HeadObjectCommand({ Bucket: this.connection.bucket, Key: key }), { abortSignal: options.signal }),
      );
      return {
        size: head.ContentLength ?? 0,
        etag: stripQuotes(head.ETag ?? ''),
        sha256: head.Metadata?.sha256 ?? null,
        lastModified: head.LastModified?.getTime() ?? null,
      };
    } catch (error) {
      if (httpStatusOf(error) === 404) return null;
      throw error;
    }
  }

  /**
   * One PUT of a whole small file, signed over its SHA-256 (`settings.sha256`): the server checks
   * the bytes it got against it. With `ifNoneMatch` the server refuses (412) when the key is
   * already taken, which spares a HeadObject per file in the common case of a new name.
   */
  async putObject(key: string, body: Buffer, settings: ObjectSettings, options: RequestOptions & { ifNoneMatch?: boolean } = {}): Promise<string> {
    const headers: Record<string, string> = {
      'content-type': settings.contentType,
      'x-amz-acl': settings.visibility,
      'x-amz-meta-sha256': settings.sha256,
    };
    for (const [name, value] of Object.entries(settings.metadata ?? {})) headers[`x-amz-meta-${name}`] = value;
    if (options.ifNoneMatch) headers['if-none-match'] = '*';
    const result = await this.send('upload', 'PUT', key, body.length, options, () => this.writer.put(key, {}, headers, { buffer: body, sha256: settings.sha256 }, options.signal));
    return result.etag;
  }

  async createMultipartUpload(key: string, settings: ObjectSettings, options: RequestOptions = {}): Promise<string> {
    const result = await this.control('create_multipart', 'POST', key, options, ({ s3, client }) =>
      client.send(
        new s3.CreateMultipartUploadCommand({
          Bucket: this.connection.bucket,
          Key: key,
          ContentType: settings.contentType,
          ACL: settings.visibility,
          Metadata: { ...settings.metadata, sha256: settings.sha256 },
        }),
        { abortSignal: options.signal },
      ),
    );
    if (!result.UploadId) throw new Error(`The server started a multipart upload for ${key} without an UploadId.`);
    return result.UploadId;
  }

  /**
   * One part, read from the file as it is sent, chunk by chunk, each chunk signed over its
   * SHA-256 (objectWriter.ts): the server stores the part only if every chunk arrived intact.
   */
  async uploadPart(key: string, s3UploadId: string, partNumber: number, file: FileRangeBody, options: RequestOptions = {}): Promise<WriteResult> {
    return this.send('upload_part', 'PUT', key, file.length, options, () =>
      this.writer.put(key, { partNumber: String(partNumber), uploadId: s3UploadId }, {}, { file }, options.signal),
    );
  }

  /** All parts the server holds for an upload, following ListParts' pages (1,000 parts each). */
  async listParts(key: string, s3UploadId: string, options: RequestOptions = {}): Promise<RemotePart[]> {
    const parts: RemotePart[] = [];
    let marker: string | undefined;
    for (;;) {
      const page = await this.control('list_parts', 'GET', key, options, ({ s3, client }) =>
        client.send(new s3.ListPartsCommand({ Bucket: this.connection.bucket, Key: key, UploadId: s3UploadId, PartNumberMarker: marker }), { abortSignal: options.signal }),
      );
      for (const part of page.Parts ?? []) {
        if (part.PartNumber !== undefined) parts.push({ partNumber: part.PartNumber, etag: stripQuotes(part.ETag ?? ''), size: part.Size ?? 0 });
      }
      if (!page.IsTruncated || !page.NextPartNumberMarker) return parts;
      marker = String(page.NextPartNumberMarker);
    }
  }

  async completeMultipartUpload(key: string, s3UploadId: string, parts: { partNumber: number; etag: string }[], options: RequestOptions = {}): Promise<void> {
    await this.control('complete_multipart', 'POST', key, options, ({ s3, client }) =>
      client.send(
        new s3.CompleteMultipartUploadCommand({
          Bucket: this.connection.bucket,
          Key: key,
          UploadId: s3UploadId,
          MultipartUpload: { Parts: parts.map((part) => ({ PartNumber: part.partNumber, ETag: `"${part.etag}"` })) },
        }),
        { abortSignal: options.signal },
      ),
    );
  }

  async abortMultipartUpload(key: string, s3UploadId: string, options: RequestOptions = {}): Promise<void> {
    await this.control('abort_multipart', 'DELETE', key, options, ({ s3, client }) =>
      client.send(new s3.AbortMultipartUploadCommand({ Bucket: this.connection.bucket, Key: key, UploadId: s3UploadId })),
    );
  }

  async listMultipartUploads(prefix?: string): Promise<RemoteMultipartUpload[]> {
    const uploads: RemoteMultipartUpload[] = [];
    let keyMarker: string | undefined;
    let uploadIdMarker: string | undefined;
    for (;;) {
      const page = await this.control('list_multipart', 'GET', prefix ?? null, {}, ({ s3, client }) =>
        client.send(new s3.ListMultipartUploadsCommand({ Bucket: this.connection.bucket, Prefix: prefix, KeyMarker: keyMarker, UploadIdMarker: uploadIdMarker })),
      );
      for (const upload of page.Uploads ?? []) {
        if (upload.Key && upload.UploadId) uploads.push({ key: upload.Key, s3UploadId: upload.UploadId, initiated: upload.Initiated?.getTime() ?? 0 });
      }
      if (!page.IsTruncated) return uploads;
      keyMarker = page.NextKeyMarker;
      uploadIdMarker = page.NextUploadIdMarker;
    }
  }

  /**
   * One page (up to 1,000 keys) of the bucket's objects under a prefix: their keys and sizes, and
   * the token of the next page (null at the end). With a delimiter, the "folders" one level down
   * instead of what is inside them. A usage scan walks a bucket of any size page by page.
   */
  async listObjectsPage(prefix: string, continuationToken: string | null, options: RequestOptions & { delimiter?: string } = {}): Promise<ObjectPage> {
    const query = listQuery(prefix, continuationToken, options.delimiter);
    // A fresh list for each attempt: a retried page is read from its start.
    return this.send('list', 'GET', prefix || null, 0, options, async () => {
      const objects: ObjectPage['objects'] = [];
      const rest = await this.readListing(query, (key, size, lastModified) => objects.push({ key, size, lastModified }), options.signal);
      return { objects, ...rest };
    });
  }

  /**
   * One page as listObjectsPage reads it, its objects not kept but counted per group (`groupOf`
   * names a key's: the usage scan's areas), as they are read: a scan holds counters, never a
   * page of objects.
   */
  async countObjectsPage(prefix: string, continuationToken: string | null, options: RequestOptions & { delimiter?: string; groupOf: (key: string) => string }): Promise<CountedPage> {
    return this.send('list', 'GET', prefix || null, 0, options, async () => {
      // Counted afresh at each attempt: a retried page counts once.
      const counts: CountedPage['counts'] = {};
      const rest = await this.readListing(listQuery(prefix, continuationToken, options.delimiter), (key, size) => {
        const count = (counts[options.groupOf(key)] ??= [0, 0]);
        count[0] += 1;
        count[1] += size;
      }, options.signal);
      return { counts, ...rest };
    });
  }

  private async readListing(query: Record<string, string>, visit: ObjectVisitor, signal?: AbortSignal): Promise<PageRest> {
    const reader = new ListPageReader(visit);
    await this.reader.get({ key: '' }, query, signal, reader);
    return reader.end();
  }

  /**
   * The bucket's object count and bytes as the server itself keeps them (Ceph radosgw's admin
   * API, `GET /admin/bucket?stats`): one request instead of a listing, and exact. Null where the
   * server does not offer them to these keys (Spaces; a Ceph user without the buckets=read cap):
   * the scan then counts by listing. Asked once per scan, not retried: the listing is the answer
   * to any doubt.
   */
  async bucketStats(options: { signal?: AbortSignal } = {}): Promise<BucketStats | null> {
    try {
      const text = await this.send('bucket_stats', 'GET', null, 0, { signal: options.signal, retry: false }, () =>
        this.reader.get({ servicePath: '/admin/bucket' }, { bucket: this.connection.bucket, stats: 'True', format: 'json' }, options.signal),
      );
      return parseBucketStats(text);
    } catch (error) {
      if (options.signal?.aborted) throw error;
      return null;
    }
  }

  /**
   * A server-side copy (a renamed file whose bytes the bucket already holds): nothing is sent
   * but the request. The object's metadata (content type, SHA-256) comes along; its ACL does
   * not, so the visibility is given again. Returns the new object's ETag.
   */
  async copyObject(sourceKey: string, key: string, visibility: 'private' | 'public-read', options: RequestOptions = {}): Promise<string> {
    // CopySource is "bucket/key", the key URL-encoded except its slashes (S3's rule).
    const source = `${this.connection.bucket}/${encodeURIComponent(sourceKey).replace(/%2F/g, '/')}`;
    const result = await this.control('copy', 'PUT', key, options, ({ s3, client }) =>
      client.send(new s3.CopyObjectCommand({ Bucket: this.connection.bucket, Key: key, CopySource: source, ACL: visibility }), { abortSignal: options.signal }),
    );
    return stripQuotes(result.CopyObjectResult?.ETag ?? '');
  }

  async deleteObject(key: string): Promise<void> {
    await this.control('delete', 'DELETE', key, {}, ({ s3, client }) => client.send(new s3.DeleteObjectCommand({ Bucket: this.connection.bucket, Key: key })));
  }

  /** A presigned GET: signed locally, so it is not an S3 request and is not recorded. */
  async presignGet(key: string, expiresInSeconds: number): Promise<string> {
    const { s3, client, getSignedUrl } = await this.sdk();
    return getSignedUrl(client, new s3.GetObjectCommand({ Bucket: this.connection.bucket, Key: key }), { expiresIn: expiresInSeconds });
  }
}

/**
 * The engine's gateway port: all it asks of a bucket. S3Gateway is the one users run; the fast
 * test tier puts a scripted store behind the same port (EngineOptions.gatewayFactory).
 */
export type ObjectStore = Pick<
  S3Gateway,
  | 'connection'
  | 'maxAttempts'
  | 'destroy'
  | 'listOneKey'
  | 'probe'
  | 'headObject'
  | 'putObject'
  | 'createMultipartUpload'
  | 'uploadPart'
  | 'listParts'
  | 'completeMultipartUpload'
  | 'abortMultipartUpload'
  | 'listMultipartUploads'
  | 'listObjectsPage'
  | 'countObjectsPage'
  | 'bucketStats'
  | 'deleteObject'
  | 'copyObject'
  | 'presignGet'
>;

/** Makes a connection's gateway; the engine's default makes an S3Gateway. */
export type GatewayFactory = (connection: ConnectionSummary, credentials: Credentials, record: OperationRecorder, options: GatewayOptions) => ObjectStore;

export const s3GatewayFactory: GatewayFactory = (connection, credentials, record, options) => new S3Gateway(connection, credentials, record, options);

const DEFAULT_MAX_SOCKETS = 16;
const DEFAULT_MAX_ATTEMPTS = 4;
const DEFAULT_IDLE_TIMEOUT_MS = 60_000;

/**
 * One clock for the writer and the SDK: a skew the SDK corrected serves the writer's next
 * request, and back. Until the SDK is loaded the writer keeps it alone; from then on the SDK's
 * config holds it (the SDK updates it there), starting from what the writer had learnt.
 */
class SharedClock implements ServerClock {
  private own = 0;
  private sdkConfig: { systemClockOffset?: number } | null = null;

  get offsetMs(): number {
    return this.sdkConfig?.systemClockOffset ?? this.own;
  }

  set offsetMs(value: number) {
    this.own = value;
    if (this.sdkConfig) this.sdkConfig.systemClockOffset = value;
  }

  attach(config: { systemClockOffset?: number }): void {
    config.systemClockOffset = this.own;
    this.sdkConfig = config;
  }
}

const SILENT_LOGGER = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };

/**
 * radosgw's bucket statistics: `usage["rgw.main"]` counts the objects and their bytes (the parts
 * of unfinished uploads among them); an empty bucket has no "rgw.main". Anything else is not
 * statistics Quire knows, and the scan lists instead.
 */
function parseBucketStats(text: string): BucketStats | null {
  const answer = JSON.parse(text) as { usage?: Record<string, { num_objects?: unknown; size?: unknown }> };
  if (!answer || typeof answer !== 'object' || !answer.usage || typeof answer.usage !== 'object') return null;
  const main = answer.usage['rgw.main'] ?? { num_objects: 0, size: 0 };
  const objects = Number(main.num_objects);
  const bytes = Number(main.size);
  return Number.isSafeInteger(objects) && Number.isSafeInteger(bytes) && objects >= 0 && bytes >= 0 ? { objects, bytes } : null;
}

/** ListObjectsV2's query for one page. */
function listQuery(prefix: string, continuationToken: string | null, delimiter: string | undefined): Record<string, string> {
  const query: Record<string, string> = { 'list-type': '2' };
  if (prefix) query.prefix = prefix;
  if (continuationToken) query['continuation-token'] = continuationToken;
  if (delimiter) query.delimiter = delimiter;
  return query;
}
