import type { ConnectionSummary } from '../../shared/connection';
import type { ObjectCheck } from '../../shared/contract';
import type { OrphanReport } from '../../shared/orphans';
import type { Preferences, PreferencesUpdate } from '../../shared/preferences';
import type { EnqueueInput, EnqueueResult, RunResult, UploadSummary } from '../../shared/upload';
import { ConnectionRepository } from './connections/connectionRepository';
import { ConnectionService } from './connections/connectionService';
import { OsKeychain, type SecretStore } from './credentials/keychain';
import { QuireError } from './errors';
import { openLedger, type Ledger } from './ledger/database';
import { ledgerFailure } from './ledger/ledgerFailure';
import { PreferenceStore } from './ledger/preferenceStore';
import { OperationLog } from './ledger/operationLog';
import { defaultDataDir, findResourcesDir } from './paths';
import { QueueLock } from './queueLock';
import { classifyS3Error } from './s3/classifyError';
import { S3Gateway, type OperationRecord } from './s3/gateway';
import { defaultQueueSettings } from './settings';
import { enqueueUploads } from './upload/enqueue';
import { ORPHAN_MIN_AGE_MS, abortOrphans, findOrphans, quirePrefixes } from './upload/janitor';
import { UploadQueue, type QueueSettings } from './upload/uploadQueue';
import { UploadRepository } from './upload/uploadRepository';
import { toUploadSummary } from './upload/uploadSummary';
import { join } from 'node:path';

export interface EngineOptions {
  dataDir?: string;
  /** A packaged app passes its resources path; otherwise found next to the code. */
  resourcesDir?: string;
  secrets?: SecretStore;
  env?: NodeJS.ProcessEnv;
  settings?: Partial<QueueSettings>;
}

/**
 * The engine: everything Quire does, in plain Node. Hosts (CLI, web host, Electron) construct one
 * and call it; it never imports Electron.
 */
export class Engine {
  readonly connections: ConnectionService;
  readonly uploads: UploadRepository;
  readonly queue: UploadQueue;
  readonly preferences: PreferenceStore;
  private readonly lock: QueueLock;
  private readonly operationLog: OperationLog;

  private constructor(
    readonly dataDir: string,
    private readonly db: Ledger,
    secrets: SecretStore,
    env: NodeJS.ProcessEnv,
    readonly settings: QueueSettings,
    overrides: Partial<QueueSettings>,
  ) {
    this.operationLog = new OperationLog(db);
    const record = (op: OperationRecord) => this.recordOperation(op);
    this.connections = new ConnectionService(new ConnectionRepository(db), secrets, record, env);
    this.uploads = new UploadRepository(db);
    this.preferences = new PreferenceStore(db, { bandwidthLimit: settings.bandwidthLimit, requestsPerSecond: settings.requestsPerSecond, queuePaused: false });
    this.queue = new UploadQueue(this.uploads, this.connections, this.preferences, record, settings, overrides, ledgerPathIn(dataDir));
    this.lock = new QueueLock(dataDir);
  }

  static open(options: EngineOptions = {}): Engine {
    const env = options.env ?? process.env;
    const dataDir = options.dataDir ?? defaultDataDir(env);
    const resourcesDir = options.resourcesDir ?? findResourcesDir();
    let db: Ledger;
    try {
      db = openLedger(dataDir, join(resourcesDir, 'migrations'));
    } catch (error) {
      // A full disk or a read-only folder, said plainly; the ledger file itself is untouched.
      throw ledgerFailure(error, ledgerPathIn(dataDir)) ?? error;
    }
    return new Engine(dataDir, db, options.secrets ?? new OsKeychain(), env, { ...defaultQueueSettings, ...options.settings }, options.settings ?? {});
  }

  get ledgerPath(): string {
    return ledgerPathIn(this.dataDir);
  }

  async enqueue(input: EnqueueInput): Promise<EnqueueResult> {
    const connection = this.connections.resolve(input.connection);
    return enqueueUploads(input, connection, this.uploads, { multipartThreshold: this.settings.multipartThreshold });
  }

  listUploads(): UploadSummary[] {
    return this.uploads.list().map(toUploadSummary);
  }

  /**
   * Works the queue to the end. Only one process drives it; rows a dead process left in flight
   * become runnable first, which is what makes a crash just a pause.
   */
  async run(signal?: AbortSignal): Promise<RunResult> {
    try {
      this.lock.acquire();
    } catch (error) {
      throw ledgerFailure(error, this.ledgerPath) ?? error;
    }
    try {
      this.uploads.requeueInterrupted();
      return await this.queue.runUntilIdle(signal);
    } catch (error) {
      throw ledgerFailure(error, this.ledgerPath) ?? error;
    } finally {
      this.operationLog.flush();
      this.lock.release();
    }
  }

  /**
   * Pauses uploads at once (in-flight parts are aborted; finished parts and the server upload are
   * kept). "all" also pauses the queue itself, so nothing starts until it is resumed, even
   * after a restart. A queue running in another process sees the pause within a tick.
   */
  pause(target: string[] | 'all'): UploadSummary[] {
    if (target === 'all') this.preferences.write({ queuePaused: true });
    const ids = this.uploads.pause(target === 'all' ? 'all' : this.resolveIds(target));
    this.queue.stopJobs(ids, 'paused');
    return this.summariesOf(ids);
  }

  /** Paused uploads (and failed ones: a retry) go back in the queue; "all" lifts a global pause. */
  resume(target: string[] | 'all'): UploadSummary[] {
    if (target === 'all') this.preferences.write({ queuePaused: false });
    return this.summariesOf(this.uploads.resume(target === 'all' ? 'all' : this.resolveIds(target)));
  }

  /**
   * Cancels uploads for good: the job stops, and the unfinished upload on the server is aborted
   * (now if the endpoint answers, otherwise by the next run), so no parts are left to be billed.
   */
  async cancel(target: string[]): Promise<UploadSummary[]> {
    const ids = this.uploads.cancel(this.resolveIds(target));
    this.queue.stopJobs(ids, 'cancelled');
    try {
      await this.queue.abortCancelledSessions();
    } finally {
      this.operationLog.flush();
    }
    return this.summariesOf(ids);
  }

  getPreferences(): Preferences {
    return this.preferences.read();
  }

  updatePreferences(update: PreferencesUpdate): Preferences {
    return this.preferences.write(update);
  }

  /**
   * Unfinished multipart uploads under Quire's prefixes that this ledger does not own, with what
   * each costs. With `abort`, those at least `olderThanMs` old (default 24 h) are aborted.
   */
  async orphans(options: { connection?: string; abort?: boolean; olderThanMs?: number } = {}): Promise<OrphanReport> {
    try {
      return await this.findOrAbortOrphans(options);
    } finally {
      this.operationLog.flush();
    }
  }

  private async findOrAbortOrphans(options: { connection?: string; abort?: boolean; olderThanMs?: number }): Promise<OrphanReport> {
    const connection = this.connections.resolve(options.connection);
    const gateway = await this.queue.gatewayFor(connection);
    const orphans = await findOrphans(gateway, quirePrefixes(this.uploads.objectKeys(connection.id)), this.uploads.ownedActiveS3UploadIds()).catch((error) => {
      throw classifyS3Error(error, `Listing unfinished uploads in "${connection.bucket}"`, { endpoint: connection.endpoint, bucket: connection.bucket });
    });
    if (!options.abort) return { connection: connection.name, orphans, aborted: [], failed: [] };
    const minAge = options.olderThanMs ?? ORPHAN_MIN_AGE_MS;
    const { aborted, failed } = await abortOrphans(gateway, orphans.filter((orphan) => orphan.ageMs >= minAge));
    return { connection: connection.name, orphans, aborted, failed };
  }

  /** Full ids, or the short ones `quire queue` prints; an id that names nothing is an error. */
  private resolveIds(ids: string[]): string[] {
    return ids.map((id) => {
      const matches = this.uploads.findByKeyPrefix(id);
      if (matches.length === 1) return matches[0]!.id;
      throw new QuireError('upload_not_found', matches.length === 0 ? `No upload with id ${id} in the queue (see: quire queue).` : `Id ${id} matches ${matches.length} uploads; give more of it.`);
    });
  }

  /** The uploads with these ids, as the API shows them (unknown ids are left out). */
  summariesOf(ids: string[]): UploadSummary[] {
    return ids.flatMap((id) => {
      const row = this.uploads.get(id);
      return row ? [toUploadSummary(row)] : [];
    });
  }

  /** Compares the object in the bucket with what the ledger recorded when it was uploaded. */
  async verify(key: string, connectionName?: string): Promise<ObjectCheck> {
    const connection = this.connections.resolve(connectionName);
    return this.withGateway(connection, async (gateway) => {
      const head = await gateway.headObject(key).catch((error) => {
        throw classifyS3Error(error, `Checking ${key}`, { endpoint: connection.endpoint, bucket: connection.bucket });
      });
      if (!head) throw new QuireError('object_not_found', `${key} is not in bucket "${connection.bucket}" of connection "${connection.name}".`);
      const row = this.uploads.findVerifiedByKey(connection.id, key);
      const recorded = row ? { sourcePath: row.sourcePath, size: row.size, sha256: row.sha256, etag: row.etag } : null;
      const matches = recorded ? recorded.size === head.size && recorded.etag === head.etag && (head.sha256 === null || head.sha256 === recorded.sha256) : head.sha256 !== null;
      return { key, size: head.size, etag: head.etag, sha256: head.sha256, recorded, matches };
    });
  }

  /** A time-limited link to a private object. Spaces and SigV4 allow at most 7 days. */
  async link(key: string, expiresInSeconds: number, connectionName?: string): Promise<{ url: string; expiresAt: number }> {
    if (!Number.isInteger(expiresInSeconds) || expiresInSeconds < 1 || expiresInSeconds > 7 * 24 * 3600) {
      throw new QuireError('usage', 'A share link lasts from 1 second to 7 days (the longest Spaces and S3 allow).');
    }
    const connection = this.connections.resolve(connectionName);
    return this.withGateway(connection, async (gateway) => ({ url: await gateway.presignGet(key, expiresInSeconds), expiresAt: Date.now() + expiresInSeconds * 1000 }));
  }

  close(): void {
    this.queue.close();
    this.operationLog.flush();
    this.db.$client.close();
  }

  private async withGateway<T>(connection: ConnectionSummary, use: (gateway: S3Gateway) => Promise<T>): Promise<T> {
    const gateway = new S3Gateway(connection, await this.connections.credentialsFor(connection), (op) => this.recordOperation(op), { maxSockets: 2 });
    try {
      return await use(gateway);
    } finally {
      gateway.destroy();
      this.operationLog.flush();
    }
  }

  private recordOperation(op: OperationRecord): void {
    this.operationLog.record(op);
  }
}

function ledgerPathIn(dataDir: string): string {
  return join(dataDir, 'ledger.sqlite');
}
