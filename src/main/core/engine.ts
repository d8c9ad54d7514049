import type { ConnectionSettings, ConnectionSummary } from '../../shared/connection';
import type { ObjectCheck } from '../../shared/contract';
import type { OrphanReport } from '../../shared/orphans';
import type { SettingsReport, SettingsUpdate } from '../../shared/settings';
import type { EnqueueInput, EnqueueResult, QueueState, RunResult, UploadDetails, UploadListInput, UploadPage, UploadPreview, UploadSummary } from '../../shared/upload';
import type { UploadStatus } from '../../shared/uploadStatus';
import { ConnectionRepository } from './connections/connectionRepository';
import { ConnectionService, type SecretSource } from './connections/connectionService';
import { OsKeychain, type SecretStore } from './credentials/keychain';
import { QuireError } from './errors';
import { EngineEvents } from './events/engineEvents';
import { openLedger, type Ledger } from './ledger/database';
import { ledgerFailure } from './ledger/ledgerFailure';
import { OperationLog } from './ledger/operationLog';
import { defaultDataDir, findResourcesDir } from './paths';
import { QueueLock } from './queueLock';
import { classifyS3Error } from './s3/classifyError';
import type { GatewayFactory, ObjectStore } from './s3/gateway';
import { GatewayPool } from './s3/gatewayPool';
import { SettingsStore, defaultEngineSettings, type EngineSettings } from './settings';
import { enqueueUploads, planUploads, type PlanOptions } from './upload/enqueue';
import type { ImagePool, ImagePoolOptions } from './images/imagePool';
import { ImageStage } from './images/imageStage';
import { UsageRepository } from './usage/usageRepository';
import { UsageService } from './usage/usageService';
import type { UsageReport } from '../../shared/usage';
import type { TempRemoval, TempReport } from '../../shared/cleanup';
import { listOldTemp, removeOldTemp } from './usage/tempCleanup';
import { extensionOfFormat, type ImagePreview, type ImagePreviewInput } from '../../shared/images';
import { findExistingObjects } from './upload/existingObjects';
import { StagingArea } from './staging/stagingArea';
import { WatchRepository } from './watch/watchRepository';
import { WatchService } from './watch/watchService';
import { fromStaging, toStaged } from './staging/stagedInput';
import { ORPHAN_MIN_AGE_MS, abortOrphans, findOrphans, quirePrefixes } from './upload/janitor';
import { UploadChanges } from './upload/uploadChanges';
import { UploadQueue } from './upload/uploadQueue';
import { UploadRepository } from './upload/uploadRepository';
import { join } from 'node:path';
import type { AnalyticsInput, AnalyticsReport } from '../../shared/analytics';
import { buildAnalyticsReport } from './analytics/analyticsReport';
import { maintainAnalytics } from './analytics/maintenance';

/** Which unfinished uploads `orphans` looks at and aborts: with `abort`, those at least `olderThanMs` old (24 h by default), of `s3UploadIds` when named. */
export interface OrphanOptions {
  connection?: string;
  abort?: boolean;
  olderThanMs?: number;
  s3UploadIds?: string[];
}

/** Which uploads an action is for: these ids (or short ids), every upload, or every one in these statuses. */
export type UploadTarget = string[] | 'all' | { status: UploadStatus[] };

const MAX_REQUEST_BUDGET = 64;

/** A drop copied to staging and then never queued (a preview left open, a closed tab) is kept this long. */
const STAGED_UNQUEUED_KEPT_MS = 24 * 60 * 60 * 1000;

export interface EngineOptions {
  dataDir?: string;
  /** A packaged app passes its resources path; otherwise found next to the code. */
  resourcesDir?: string;
  secrets?: SecretStore;
  env?: NodeJS.ProcessEnv;
  /** What the host fixes for this process (CLI flags, tests, the bench): wins over the author's stored settings here. */
  settings?: Partial<EngineSettings>;
  /** The gateway port: how a connection's gateway is made (the fast tests script one). */
  gatewayFactory?: GatewayFactory;
  /** The wall clock retries and waits are timed by (the fast tests move it by hand). */
  clock?: () => number;
  /** How the image pool runs (its worker script, native or wasm sharp, its size); found next to the code when absent. Its cache is in the data folder. */
  images?: Omit<ImagePoolOptions, 'cacheDir'>;
}

/**
 * The engine: everything Quire does, in plain Node. Hosts (CLI, web host, Electron) open one,
 * `start()` it for as long as they drive the queue, and call it; it never imports Electron.
 * While started it holds the queue lock of its data folder, and its scheduler idles until work
 * arrives. Other processes steer it through the ledger (pause, cancel, enqueue from a second shell).
 */
export class Engine {
  readonly connections: ConnectionService;
  readonly uploads: UploadRepository;
  /** The author's settings, stored in the ledger and steered from any process. */
  readonly settingsStore: SettingsStore;
  /** Every event hosts forward, typed by the contract. */
  readonly events = new EngineEvents();
  /** Where a browser's drops are copied before they are queued (the web host writes there). */
  readonly staging: StagingArea;
  /** Watch folders: commands from any process, watching in the one that drives the queue. */
  readonly watch: WatchService;
  /** What each connection's bucket holds and costs (scans run in the process that asks). */
  readonly usage: UsageService;
  /** The prepare stage: images owing their web set are made here before the queue sends them. */
  private readonly imageStage: ImageStage;
  private readonly queue: UploadQueue;
  private readonly gateways: GatewayPool;
  private readonly changes: UploadChanges;
  private readonly lock: QueueLock;
  private readonly operationLog: OperationLog;
  /** Set while a stop is under way: starting again waits for it (the lock is released last). */
  private stopping: Promise<void> | null = null;

  private constructor(
    readonly dataDir: string,
    private readonly db: Ledger,
    secrets: SecretStore,
    env: NodeJS.ProcessEnv,
    readonly settings: EngineSettings,
    fixed: Partial<EngineSettings>,
    options: Pick<EngineOptions, 'gatewayFactory' | 'clock' | 'images'>,
  ) {
    this.operationLog = new OperationLog(db);
    this.uploads = new UploadRepository(db);
    this.settingsStore = new SettingsStore(db, fixed);
    this.gateways = new GatewayPool(
      (connection) => this.connections.credentialsFor(connection),
      (op) => this.operationLog.record(op),
      (uploadId) => {
        if (uploadId) this.uploads.countAttempt(uploadId);
      },
      {
        // Enough for the most requests in flight an author may choose; the queue's budget is the limit.
        maxSockets: MAX_REQUEST_BUDGET + 4,
        requestIdleTimeoutMs: settings.requestIdleTimeoutMs,
        maxAttempts: settings.maxAttempts,
        limits: () => this.settingsStore.inForce(),
      },
      options.gatewayFactory,
    );
    this.connections = new ConnectionService(new ConnectionRepository(db), secrets, this.gateways, env);
    this.changes = new UploadChanges(this.uploads, this.events);
    this.queue = new UploadQueue(
      {
        repository: this.uploads,
        connections: this.connections,
        settings: this.settingsStore,
        gateways: this.gateways,
        changes: this.changes,
        events: this.events,
        ledgerPath: ledgerPathIn(dataDir),
        clock: options.clock ?? Date.now,
        preparing: () => this.imageStage.busy,
        sourceChanged: (row) => this.imageStage.sets.reopen(row),
      },
      settings,
    );
    this.imageStage = new ImageStage({
      db,
      cacheDir: join(dataDir, 'image-cache'),
      pool: options.images,
      uploads: this.uploads,
      settings: () => this.settingsStore.read(),
      multipartThreshold: () => this.settings.multipartThreshold,
      nameOf: (path) => this.staging.nameInDrop(path),
      maxChanges: settings.maxWaits,
      gatewayFor: (connectionId) => this.gateways.forConnection(this.connections.resolveById(connectionId)),
      changed: (ids) => {
        for (const id of ids) this.changes.changed(id);
        this.queue.nudge();
      },
      workedOn: (id) => this.queue.workedOn(id),
      clock: options.clock ?? Date.now,
    });
    this.usage = new UsageService({
      repository: new UsageRepository(db),
      gatewayFor: (connection) => this.gateways.forConnection(connection),
      unitsAtOnce: () => Math.max(1, Math.min(4, this.settingsStore.inForce().requestBudget)),
      changed: (report) => this.events.emit('usage.changed', report),
      clock: options.clock ?? Date.now,
    });
    this.lock = new QueueLock(dataDir);
    this.staging = new StagingArea(join(dataDir, 'staging'));
    this.watch = new WatchService({
      repository: new WatchRepository(db),
      uploads: this.uploads,
      connections: this.connections,
      events: this.events,
      gatewayFor: (connectionId) => this.gateways.forConnection(this.connections.resolveById(connectionId)),
      planOptions: () => this.planOptions(),
      queued: (ids, notices) => {
        for (const id of ids) this.changes.changed(id, notices.get(id));
        this.queue.nudge();
        this.imageStage.nudge();
      },
    });
    // A staged copy is only the source of its upload: once the bucket holds it (or the author
    // cancelled), it goes. The driving process sees every such change; a start sweeps the rest.
    this.events.on('upload.changed', ({ upload }) => {
      if (upload.status !== 'verified' && upload.status !== 'cancelled') return;
      // An image's own row may send its largest web size instead of the dropped file: that file is its origin.
      const staged = upload.image?.setId === upload.id ? [upload.sourcePath, upload.image.origin] : [upload.sourcePath];
      // The same drop queued twice (a retried send) reads one staged copy: it stays for the other.
      for (const path of new Set(staged)) if (this.staging.contains(path) && !this.uploads.readsFile(path)) void this.staging.release(path).catch(() => {});
    });
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
    return new Engine(dataDir, db, options.secrets ?? new OsKeychain(), env, { ...defaultEngineSettings, ...options.settings }, options.settings ?? {}, options);
  }

  get ledgerPath(): string {
    return ledgerPathIn(this.dataDir);
  }

  get started(): boolean {
    return this.queue.started;
  }

  /**
   * Takes the queue lock and starts the scheduler; rows a dead process left in flight become
   * runnable first, which is what makes a crash just a pause. Starting again changes nothing.
   * Throws `ledger_locked` when another process drives this data folder's queue.
   */
  start(): void {
    if (this.stopping) throw new QuireError('ledger_locked', 'Quire is still stopping its uploads; start again in a moment.', { retryable: true });
    if (this.queue.started) return;
    let requeued: string[];
    try {
      this.lock.acquire();
      requeued = this.uploads.requeueInterrupted();
    } catch (error) {
      this.lock.release();
      throw ledgerFailure(error, this.ledgerPath) ?? error;
    }
    for (const id of requeued) this.changes.changed(id);
    this.queue.start();
    this.imageStage.start();
    // Watch folders are watched by the process that drives the queue, for as long as it does.
    this.watch.start();
    // Analytics upkeep (first requests copied, old requests rolled up): in the background; on any error the next start goes on.
    void maintainAnalytics(this.db.$client).catch(() => {});
  }

  /** The desktop app has said once that closing its window keeps uploads going in the tray. */
  noteTrayHintShown(): void {
    this.settingsStore.write({ trayHintShown: true });
  }

  /**
   * The system reports the network back (the desktop app hears it from the OS): uploads waiting on
   * an offline endpoint are not left to their next probe; the probe, made now, decides.
   */
  networkBack(): void {
    if (this.queue.started) this.queue.probeOfflineNow();
  }

  /** Stops at part boundaries (every finished part stays recorded) and releases the lock last. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      try {
        // The prepare stage first: its workers must not be left to Ctrl-C while the rest stops.
        await this.imageStage.stop();
        await this.watch.stop();
        await this.queue.stop();
      } finally {
        this.operationLog.flush();
        this.lock.release();
        this.stopping = null;
      }
    })();
    return this.stopping;
  }

  /**
   * `quire run`: works the queue until nothing can move without the author, then stops, unless a
   * host had started the engine already (then it only waits). `signal` stops it early, cleanly.
   */
  async run(signal?: AbortSignal): Promise<RunResult> {
    if (this.stopping) await this.stopping;
    const ownsStart = !this.started;
    this.start();
    // Only a run that started the engine stops it; one beside a host's engine only waits.
    const stopEarly = () => void this.stop();
    if (ownsStart) {
      signal?.addEventListener('abort', stopEarly, { once: true });
      // Ctrl-C while the files were being looked at (before this run began) counts too.
      if (signal?.aborted) stopEarly();
    }
    try {
      // A run syncs the watch folders once: what changed since is queued before the queue is waited on.
      if (ownsStart) await this.watch.whenScanned();
      return await this.queue.whenIdle();
    } catch (error) {
      throw ledgerFailure(error, this.ledgerPath) ?? error;
    } finally {
      signal?.removeEventListener('abort', stopEarly);
      if (ownsStart) await this.stop();
    }
  }

  queueState(): QueueState {
    const state = this.queue.state();
    if (state.state !== 'stopped') return state;
    return { ...state, state: this.lock.heldElsewhere() ? 'elsewhere' : 'stopped', pending: this.uploads.pendingCount() };
  }

  async addConnection(settings: ConnectionSettings, secret: SecretSource): Promise<ConnectionSummary> {
    return this.connections.add(settings, secret);
  }

  async enqueue(input: EnqueueInput): Promise<EnqueueResult> {
    const connection = this.connections.resolve(input.connection);
    const staged = toStaged(input, this.staging);
    const result = await enqueueUploads(staged.input, connection, this.uploads, this.planOptions());
    this.changedAll(result.queued.map((upload) => upload.id));
    return { ...result, rejected: fromStaging(result.rejected, staged.batchDir), skipped: fromStaging(result.skipped, staged.batchDir) };
  }

  /**
   * What `enqueue` with the same input would do, and which keys already hold an object in the
   * bucket (asked with a short deadline: a preview must not hang on an offline endpoint).
   */
  async preview(input: EnqueueInput): Promise<UploadPreview> {
    const connection = this.connections.resolve(input.connection);
    const staged = toStaged(input, this.staging);
    const plan = await planUploads(staged.input, connection, this.planOptions());
    const gateway = await this.gateways.forConnection(connection);
    let existing;
    try {
      existing = await findExistingObjects(
        plan.accepted.map(({ upload }) => upload.objectKey),
        gateway,
        { keepBoth: (staged.input.onConflict ?? 'keep-both') === 'keep-both', keyTaken: (key) => this.uploads.keyTakenByAnotherJob(connection.id, key, '') },
      );
    } finally {
      this.operationLog.flush();
    }
    const files = plan.accepted.map(({ upload, relativePath }, index) => ({
      path: staged.batchDir ? relativePath : upload.sourcePath,
      objectKey: upload.objectKey,
      category: upload.category as UploadPreview['files'][number]['category'],
      contentType: upload.contentType,
      size: upload.size,
      optimize: upload.optimize,
      ...existing[index]!,
    }));
    return { files, rejected: fromStaging(plan.rejected, staged.batchDir), skipped: fromStaging(plan.skipped, staged.batchDir), quota: this.usage.batchQuota(connection, files.reduce((sum, file) => sum + file.size, 0)) };
  }

  /**
   * Clears the staging folder of what no upload will read (a host receiving browser drops
   * calls this when it starts): drops never queued after a day, copies a crash cut off.
   */
  async sweepStaging(): Promise<void> {
    await this.staging.sweep(STAGED_UNQUEUED_KEPT_MS, (batchDir) => this.uploads.readsFilesUnder(batchDir));
  }

  /** One upload with its parts, its server session and the requests made for it. */
  details(id: string): UploadDetails {
    const [fullId] = this.resolveIds([id]);
    const row = fullId ? this.uploads.get(fullId) : null;
    if (!row) throw new QuireError('upload_not_found', `No upload with id ${id} in the queue.`);
    const session = this.uploads.latestSession(row.id);
    return {
      upload: this.uploads.summarize(row),
      serverUploadId: session?.s3UploadId ?? null,
      partSize: session?.partSize ?? null,
      partCount: session?.partCount ?? null,
      partsDone: session ? this.uploads.parts(session.id).length : 0,
      log: this.uploads.operationsFor(row.id, 200).map((op) => ({
        at: op.startedAt,
        operation: op.operation,
        httpStatus: op.httpStatus,
        success: op.success,
        bytesSent: op.bytesSent,
        durationMs: op.durationMs,
        errorCode: op.errorCode,
      })),
    };
  }

  /** One filtered page of the queue, oldest first. */
  listUploads(input: UploadListInput = {}): UploadPage {
    const offset = input.offset ?? 0;
    const connectionId = input.connection ? this.connections.resolve(input.connection).id : undefined;
    const { rows, total } = this.uploads.page({ statuses: input.status, connectionId, category: input.category, text: input.text }, offset, input.limit ?? 200);
    return { uploads: rows.map((row) => this.uploads.summarize(row)), total, offset };
  }

  /**
   * Pauses uploads at once (in-flight parts are aborted; finished parts and the server upload are
   * kept). "all" also pauses the queue itself, so nothing starts until it is resumed, even
   * after a restart. A queue running in another process sees the pause within a tick.
   */
  pause(target: UploadTarget): UploadSummary[] {
    if (target === 'all') this.settingsStore.write({ queuePaused: true });
    const ids = this.uploads.pause(this.targetIds(target));
    this.queue.stopJobs(ids, 'paused');
    this.imageStage.stopRows(ids);
    return this.changedAll(ids);
  }

  /** Paused uploads (and failed ones: a retry) go back in the queue; "all" lifts a global pause. */
  resume(target: UploadTarget): UploadSummary[] {
    if (target === 'all') this.settingsStore.write({ queuePaused: false });
    return this.changedAll(this.uploads.resume(this.targetIds(target)));
  }

  /**
   * Cancels uploads for good: the job stops, and the unfinished upload on the server is aborted
   * (now if the endpoint answers, otherwise by the next run), so no parts are left to be billed.
   */
  async cancel(target: UploadTarget): Promise<UploadSummary[]> {
    const ids = this.uploads.cancel(this.targetIds(target));
    this.queue.stopJobs(ids, 'cancelled');
    this.imageStage.stopRows(ids);
    const summaries = this.changedAll(ids);
    try {
      await this.queue.abortCancelledSessions();
    } finally {
      this.operationLog.flush();
    }
    return summaries;
  }

  /**
   * Images whose set could not be made (or that the author decided to send unchanged) go as they
   * are: the prepare stage is dropped for them and they are queued again.
   */
  uploadAsIs(target: UploadTarget): UploadSummary[] {
    const ids = this.uploads.dropPrepareStage(this.targetIds(target));
    this.imageStage.stopRows(ids);
    this.uploads.resume(ids);
    return this.changedAll(ids);
  }

  /**
   * `images.preview`: what the prepare stage makes of one file with the current settings, and how
   * large each variant is. It does the real work (into the cache), so the upload that may follow
   * encodes nothing.
   */
  previewImage(input: ImagePreviewInput): Promise<ImagePreview> {
    return this.imageStage.preview(input, this.settingsStore.read());
  }

  /** The image pool, started on first use (most runs upload no image). */
  get images(): ImagePool {
    return this.imageStage.images;
  }

  /** How intake looks at files now: the multipart threshold, and which destinations' images get their set. */
  private planOptions(): PlanOptions {
    const settings = this.settingsStore.read();
    return { multipartThreshold: this.settings.multipartThreshold, optimizedCategories: settings.imageOptimize, imageExtension: extensionOfFormat(settings.imageFormat) };
  }

  getSettings(): SettingsReport {
    return { ...this.settingsStore.read(), fixedHere: this.settingsStore.fixedHere() };
  }

  updateSettings(update: SettingsUpdate): SettingsReport {
    this.settingsStore.write(update);
    this.queue.nudge();
    return this.getSettings();
  }

  /**
   * Unfinished multipart uploads under Quire's prefixes that this ledger does not own, with what
   * each costs. With `abort`, those at least `olderThanMs` old (default 24 h) are aborted.
   */
  async orphans(options: OrphanOptions = {}): Promise<OrphanReport> {
    try {
      return await this.findOrAbortOrphans(options);
    } finally {
      this.operationLog.flush();
    }
  }

  private async findOrAbortOrphans(options: OrphanOptions): Promise<OrphanReport> {
    const connection = this.connections.resolve(options.connection);
    const gateway = await this.gateways.forConnection(connection);
    const orphans = await findOrphans(gateway, quirePrefixes(this.uploads.objectKeys(connection.id)), this.uploads.ownedActiveS3UploadIds()).catch((error) => {
      throw classifyS3Error(error, `Listing unfinished uploads in "${connection.bucket}"`, { endpoint: connection.endpoint, bucket: connection.bucket });
    });
    if (!options.abort) return { connection: connection.name, orphans, aborted: [], failed: [] };
    const minAge = options.olderThanMs ?? ORPHAN_MIN_AGE_MS;
    // Named ones (the author chose them in a list) are still only those listed here: unowned, under Quire's folders.
    const chosen = options.s3UploadIds ? orphans.filter((orphan) => options.s3UploadIds!.includes(orphan.s3UploadId)) : orphans;
    const { aborted, failed } = await abortOrphans(gateway, chosen.filter((orphan) => orphan.ageMs >= minAge));
    return { connection: connection.name, orphans, aborted, failed };
  }

  private targetIds(target: UploadTarget): string[] | 'all' {
    if (target === 'all') return 'all';
    if (Array.isArray(target)) {
      // An image's own row stands for its set: pausing or cancelling it takes its variants along.
      const ids = this.resolveIds(target);
      return this.imageStage.withSets(ids);
    }
    return this.uploads.idsWithStatus(target.status);
  }

  /** Full ids, or the short ones `quire queue` prints; an id that names nothing is an error. */
  private resolveIds(ids: string[]): string[] {
    return ids.map((id) => {
      const matches = this.uploads.findByKeyPrefix(id);
      if (matches.length === 1) return matches[0]!.id;
      throw new QuireError('upload_not_found', matches.length === 0 ? `No upload with id ${id} in the queue (see: quire queue).` : `Id ${id} matches ${matches.length} uploads; give more of it.`);
    });
  }

  /** Rows changed here: hosts hear of each, and the queue looks at once. */
  private changedAll(ids: string[]): UploadSummary[] {
    for (const id of ids) this.changes.changed(id);
    this.queue.nudge();
    this.imageStage.nudge();
    return this.summariesOf(ids);
  }

  /** The uploads with these ids, as the API shows them (unknown ids are left out). */
  private summariesOf(ids: string[]): UploadSummary[] {
    return ids.flatMap((id) => {
      const summary = this.uploads.summary(id);
      return summary ? [summary] : [];
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

  /** A time-limited link to a private object (the contract holds it to Spaces' and SigV4's 7 days). */
  async link(key: string, expiresInSeconds: number, connectionName?: string): Promise<{ url: string; expiresAt: number }> {
    const connection = this.connections.resolve(connectionName);
    return this.withGateway(connection, async (gateway) => ({ url: await gateway.presignGet(key, expiresInSeconds), expiresAt: Date.now() + expiresInSeconds * 1000 }));
  }

  /**
   * `usage.scan`: counts the connection's bucket (going on from a scan cut off); with `wait`, answers
   * once it has ended, otherwise at once while it runs in the background (hosts hear usage.changed).
   */
  async scanUsage(connectionName: string | undefined, wait: boolean): Promise<UsageReport> {
    const connection = this.connections.resolve(connectionName);
    const scan = this.usage.scan(connection).finally(() => this.operationLog.flush());
    if (wait) await scan;
    else void scan.catch(() => {}); // its outcome is in the ledger, and in the event
    return this.usage.report(connection);
  }

  /** `stats.get`: how the author's uploads go (src/shared/analytics.ts), read from the ledger once the requests still held back are written. */
  analytics(input: AnalyticsInput): AnalyticsReport {
    this.operationLog.flush();
    return buildAnalyticsReport(this.db.$client, input, { connection: input.connection === undefined ? null : this.connections.resolve(input.connection) });
  }

  /** Objects under temp/ over a day old (the platform specs' 24-hour cleanup), for the author to confirm. */
  oldTempObjects(connectionName?: string): Promise<TempReport> {
    const connection = this.connections.resolve(connectionName);
    return this.withGateway(connection, (gateway) => listOldTemp(gateway, connection.name, Date.now()));
  }

  /** Removes the confirmed temp objects that are still over a day old; nothing else. */
  removeOldTemp(keys: string[], connectionName?: string): Promise<TempRemoval> {
    const connection = this.connections.resolve(connectionName);
    return this.withGateway(connection, (gateway) => removeOldTemp(gateway, connection.name, keys, Date.now()));
  }

  /** Stops (when started) and closes the ledger: the host is quitting. */
  async close(): Promise<void> {
    // A scan under way stops at its page (it goes on from there next time).
    await this.usage.stopAll();
    await this.stop();
    // Events held back (a pause or resume just before closing) are sent while the ledger is open.
    await this.changes.drain();
    await this.imageStage.stop();
    this.gateways.destroy();
    this.db.$client.close();
  }

  /** The connection's one gateway (paced, retried, recorded), for tools and tests that talk to the bucket. */
  gatewayFor(connection: ConnectionSummary): Promise<ObjectStore> {
    return this.gateways.forConnection(connection);
  }

  private async withGateway<T>(connection: ConnectionSummary, use: (gateway: ObjectStore) => Promise<T>): Promise<T> {
    try {
      return await use(await this.gateways.forConnection(connection));
    } finally {
      this.operationLog.flush();
    }
  }
}

function ledgerPathIn(dataDir: string): string {
  return join(dataDir, 'ledger.sqlite');
}
