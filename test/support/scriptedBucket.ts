import { createHash } from 'node:crypto';
import type { ConnectionSummary } from '../../src/shared/connection';
import type { FileRangeBody, WriteResult } from '../../src/main/core/s3/objectWriter';
import type { CountedPage, GatewayFactory, ObjectSettings, ObjectStore, ObjectPage, RemoteMultipartUpload, RemoteObject, RemotePart } from '../../src/main/core/s3/gateway';

/**
 * A bucket in memory behind the engine's gateway port, for the fast tier: it answers like S3
 * (ETags, ListParts, 412 on If-None-Match) and fails, holds or goes offline exactly when a test
 * scripts it to, so the scheduler and the state machine are proven in milliseconds. The real
 * server is radosgw, in the integration tier; nothing here stands in for it there.
 */
export type Operation =
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
  | 'deleteObject'
  | 'copyObject';

interface StoredObject {
  body: Buffer;
  etag: string;
  sha256: string | null;
  /** x-amz-meta-* other than the SHA-256 (an image size's width, height...). */
  metadata?: Readonly<Record<string, string>>;
}

interface OpenUpload {
  key: string;
  sha256: string;
  parts: Map<number, { etag: string; size: number }>;
  initiated: number;
}

interface Fault {
  operation: Operation;
  error: () => unknown;
  times: number;
  /** The request takes effect on the server and then its answer is lost (a 503 after a Create). */
  afterEffect: boolean;
}

export class ScriptedBucket {
  readonly objects = new Map<string, StoredObject>();
  readonly uploads = new Map<string, OpenUpload>();
  readonly calls: { operation: Operation; key: string | null }[] = [];
  /** Offline: every request fails to connect, and probes say so. */
  online = true;
  private readonly faults: Fault[] = [];
  private readonly holds = new Map<Operation, { reached: () => void; released: Promise<void>; afterEffect: boolean }>();
  private nextUploadId = 1;

  constructor(private readonly options: { maxAttempts?: number } = {}) {}

  readonly factory: GatewayFactory = (connection) => new ScriptedStore(this, connection, this.options.maxAttempts ?? 1);

  /** The next `times` calls of `operation` fail with `error`. */
  fail(operation: Operation, error: () => unknown, times = 1, options: { afterEffect?: boolean } = {}): void {
    this.faults.push({ operation, error, times, afterEffect: options.afterEffect ?? false });
  }

  /**
   * Every call of `operation` waits until released; `reached` resolves when the first is waiting.
   * With `afterEffect` the server has done the work and only the answer waits (an answer on its way).
   */
  hold(operation: Operation, options: { afterEffect?: boolean } = {}): { reached: Promise<void>; release: () => void } {
    let release!: () => void;
    let reached!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const reachedPromise = new Promise<void>((resolve) => (reached = resolve));
    this.holds.set(operation, { reached, released, afterEffect: options.afterEffect ?? false });
    return {
      reached: reachedPromise,
      release: () => {
        this.holds.delete(operation);
        release();
      },
    };
  }

  /** Requests of an operation the author's files caused (a connection test's probe object is not one). */
  count(operation: Operation): number {
    return this.calls.filter((call) => call.operation === operation && !call.key?.startsWith('.quire/')).length;
  }

  /** Every request passes here first: recorded, then held, offline or failed as scripted. */
  async enter(operation: Operation, key: string | null, signal?: AbortSignal): Promise<Fault | null> {
    this.calls.push({ operation, key });
    await this.waitIfHeld(operation, false);
    signal?.throwIfAborted();
    if (!this.online) throw Object.assign(new Error(`connect ECONNREFUSED (scripted offline)`), { code: 'ECONNREFUSED' });
    const fault = this.faults.find((candidate) => candidate.operation === operation && candidate.times > 0);
    if (!fault) return null;
    fault.times -= 1;
    if (!fault.afterEffect) throw fault.error();
    return fault;
  }

  async waitIfHeld(operation: Operation, afterEffect: boolean): Promise<void> {
    const hold = this.holds.get(operation);
    if (!hold || hold.afterEffect !== afterEffect) return;
    hold.reached();
    await hold.released;
  }

  newUploadId(): string {
    return `scripted-upload-${this.nextUploadId++}`;
  }
}

/** Errors as the AWS SDK and the object writer throw them. */
export const s3Errors = {
  slowDown: () => Object.assign(new Error('Please reduce your request rate.'), { name: 'SlowDown', $metadata: { httpStatusCode: 503 } }),
  noSuchBucket: () => Object.assign(new Error('The specified bucket does not exist.'), { name: 'NoSuchBucket', $metadata: { httpStatusCode: 404 } }),
  accessDenied: () => Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }),
};

function md5(data: Buffer | string): string {
  return createHash('md5').update(data).digest('hex');
}

class ScriptedStore implements ObjectStore {
  constructor(
    private readonly bucket: ScriptedBucket,
    readonly connection: ConnectionSummary,
    readonly maxAttempts: number,
  ) {}

  destroy(): void {}

  async listOneKey(): Promise<void> {
    await this.bucket.enter('listOneKey', null);
  }

  async probe(): Promise<boolean> {
    this.bucket.calls.push({ operation: 'probe', key: null });
    return this.bucket.online;
  }

  async headObject(key: string, options: { signal?: AbortSignal } = {}): Promise<RemoteObject | null> {
    await this.answer('headObject', key, options.signal);
    const object = this.bucket.objects.get(key);
    return object ? { size: object.body.length, etag: object.etag, sha256: object.sha256, lastModified: null } : null;
  }

  async putObject(key: string, body: Buffer, settings: ObjectSettings, options: { signal?: AbortSignal; ifNoneMatch?: boolean } = {}): Promise<string> {
    await this.answer('putObject', key, options.signal, () => {
      if (options.ifNoneMatch && this.bucket.objects.has(key)) throw Object.assign(new Error('At least one of the pre-conditions you specified did not hold'), { name: 'PreconditionFailed', $metadata: { httpStatusCode: 412 } });
      this.bucket.objects.set(key, { body: Buffer.from(body), etag: md5(body), sha256: settings.sha256, metadata: settings.metadata });
    });
    return this.bucket.objects.get(key)!.etag;
  }

  async createMultipartUpload(key: string, settings: ObjectSettings, options: { signal?: AbortSignal } = {}): Promise<string> {
    const s3UploadId = this.bucket.newUploadId();
    await this.answer('createMultipartUpload', key, options.signal, () => {
      this.bucket.uploads.set(s3UploadId, { key, sha256: settings.sha256, parts: new Map(), initiated: Date.now() });
    });
    return s3UploadId;
  }

  async uploadPart(key: string, s3UploadId: string, partNumber: number, file: FileRangeBody, options: { signal?: AbortSignal } = {}): Promise<WriteResult> {
    const body = Buffer.alloc(file.length);
    await file.handle.read(body, 0, file.length, file.offset);
    await this.answer('uploadPart', key, options.signal, () => {
      const upload = this.bucket.uploads.get(s3UploadId);
      if (!upload) throw Object.assign(new Error('NoSuchUpload'), { name: 'NoSuchUpload', $metadata: { httpStatusCode: 404 } });
      upload.parts.set(partNumber, { etag: md5(body), size: body.length });
      this.bodies.set(`${s3UploadId}/${partNumber}`, body);
    });
    return { etag: md5(body) } as WriteResult;
  }

  private readonly bodies = new Map<string, Buffer>();

  async listParts(key: string, s3UploadId: string, options: { signal?: AbortSignal } = {}): Promise<RemotePart[]> {
    await this.answer('listParts', key, options.signal);
    const upload = this.bucket.uploads.get(s3UploadId);
    if (!upload) throw Object.assign(new Error('NoSuchKey'), { name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } });
    return [...upload.parts].map(([partNumber, part]) => ({ partNumber, etag: part.etag, size: part.size }));
  }

  async completeMultipartUpload(key: string, s3UploadId: string, parts: { partNumber: number; etag: string }[], options: { signal?: AbortSignal } = {}): Promise<void> {
    await this.answer('completeMultipartUpload', key, options.signal, () => {
      const upload = this.bucket.uploads.get(s3UploadId);
      if (!upload) throw Object.assign(new Error('NoSuchUpload'), { name: 'NoSuchUpload', $metadata: { httpStatusCode: 404 } });
      const body = Buffer.concat(parts.map((part) => this.bodies.get(`${s3UploadId}/${part.partNumber}`)!));
      const etag = `${md5(Buffer.concat(parts.map((part) => Buffer.from(part.etag, 'hex'))))}-${parts.length}`;
      this.bucket.objects.set(key, { body, etag, sha256: upload.sha256 });
      this.bucket.uploads.delete(s3UploadId);
    });
  }

  async abortMultipartUpload(key: string, s3UploadId: string): Promise<void> {
    await this.answer('abortMultipartUpload', key, undefined, () => {
      if (!this.bucket.uploads.delete(s3UploadId)) throw Object.assign(new Error('NoSuchUpload'), { name: 'NoSuchUpload', $metadata: { httpStatusCode: 404 } });
    });
  }

  async listMultipartUploads(prefix?: string): Promise<RemoteMultipartUpload[]> {
    await this.answer('listMultipartUploads', prefix ?? null);
    return [...this.bucket.uploads].filter(([, upload]) => !prefix || upload.key.startsWith(prefix)).map(([s3UploadId, upload]) => ({ key: upload.key, s3UploadId, initiated: upload.initiated }));
  }

  /** The scripted store keeps no statistics of its own, as Spaces: a scan lists. */
  async bucketStats(): Promise<null> {
    return null;
  }

  /** Pages of 1,000 keys in key order, the continuation token being the last key of the page before. */
  async listObjectsPage(prefix: string, continuationToken: string | null, options: { delimiter?: string; signal?: AbortSignal } = {}): Promise<ObjectPage> {
    await this.answer('listObjectsPage', prefix || null, options.signal);
    const keys = [...this.bucket.objects.keys()].filter((key) => key.startsWith(prefix)).sort();
    if (options.delimiter) {
      const prefixes = new Set<string>();
      const objects: ObjectPage['objects'] = [];
      for (const key of keys) {
        const cut = key.indexOf(options.delimiter, prefix.length);
        if (cut === -1) objects.push({ key, size: this.bucket.objects.get(key)!.body.length, lastModified: 0 });
        else prefixes.add(key.slice(0, cut + options.delimiter.length));
      }
      return { objects, prefixes: [...prefixes], nextToken: null };
    }
    const after = continuationToken ? keys.filter((key) => key > continuationToken) : keys;
    const page = after.slice(0, 1000);
    return { objects: page.map((key) => ({ key, size: this.bucket.objects.get(key)!.body.length, lastModified: 0 })), prefixes: [], nextToken: after.length > 1000 ? page.at(-1)! : null };
  }

  /** The scripted store counts what its listing gives (the real gateway counts while it reads). */
  async countObjectsPage(prefix: string, continuationToken: string | null, options: { delimiter?: string; signal?: AbortSignal; groupOf: (key: string) => string }): Promise<CountedPage> {
    const { objects, ...rest } = await this.listObjectsPage(prefix, continuationToken, options);
    const counts: CountedPage['counts'] = {};
    for (const object of objects) {
      const count = (counts[options.groupOf(object.key)] ??= [0, 0]);
      count[0] += 1;
      count[1] += object.size;
    }
    return { counts, ...rest };
  }

  async copyObject(sourceKey: string, key: string): Promise<string> {
    let etag = '';
    await this.answer('copyObject', key, undefined, () => {
      const source = this.bucket.objects.get(sourceKey);
      if (!source) throw Object.assign(new Error('The specified key does not exist.'), { name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } });
      this.bucket.objects.set(key, { ...source });
      etag = source.etag;
    });
    return etag;
  }

  async deleteObject(key: string): Promise<void> {
    await this.answer('deleteObject', key, undefined, () => void this.bucket.objects.delete(key));
  }

  async presignGet(key: string, expiresInSeconds: number): Promise<string> {
    return `scripted://${this.connection.bucket}/${key}?expires=${expiresInSeconds}`;
  }

  /** A request: scripted faults first; `effect` is what the server does when it accepts it. */
  private async answer(operation: Operation, key: string | null, signal?: AbortSignal, effect: () => void = () => {}): Promise<void> {
    const lostAnswer = await this.bucket.enter(operation, key, signal);
    effect();
    await this.bucket.waitIfHeld(operation, true);
    // An answer the client stopped waiting for never reaches it, whatever the server did.
    signal?.throwIfAborted();
    if (lostAnswer) throw lostAnswer.error();
  }
}
