import { EventEmitter } from 'node:events';
import type { ConnectionSummary } from '../../../shared/connection';
import type { ErrorCode } from '../../../shared/errors';
import type { RunResult, UploadProgressEvent } from '../../../shared/upload';
import type { ConnectionService } from '../connections/connectionService';
import { QuireError } from '../errors';
import { ledgerFailure } from '../ledger/ledgerFailure';
import type { PreferenceStore } from '../ledger/preferenceStore';
import type { UploadRow } from '../ledger/schema';
import { BandwidthLimiter } from '../s3/bandwidthLimiter';
import { classifyS3Error } from '../s3/classifyError';
import { S3Gateway, type OperationRecorder } from '../s3/gateway';
import { RequestPacer } from '../s3/requestPacer';
import { backoffDelayMs, isAbort, isNetworkError } from '../s3/retryPolicy';
import { BufferPool } from '../util/bufferPool';
import { READ_BUFFER_SIZE } from './fileHashes';
import { Semaphore } from '../util/semaphore';
import { Connectivity } from './connectivity';
import { fingerprintFile } from './fingerprint';
import { ORPHAN_CHECK_INTERVAL_MS, ORPHAN_MIN_AGE_MS, abortOrphans, findOrphans, quirePrefixes } from './janitor';
import type { TransferContext, TransferSettings } from './transferContext';
import { SOURCE_QUIET_MS } from './sourceFile';
import { SourceChangedError, requeueNewVersion, runUploadJob } from './uploadJob';
import { OFFLINE_ERROR_CODE, type UploadRepository } from './uploadRepository';

export interface QueueSettings extends TransferSettings {
  /** Large (multipart) files uploading at once (the platform specs' bulk limit is 3). */
  filesAtOnce: number;
  /** S3 requests in flight across all files; small files fill it one request each. */
  requestBudget: number;
  /** After this many waits an upload that keeps failing is marked failed (retryable). Being offline does not count. */
  maxWaits: number;
  /** Requests per second per connection, before any SlowDown lowers it. */
  requestsPerSecond: number;
  /** Bytes per second for all uploads together; 0 for no cap. */
  bandwidthLimit: number;
  /** A request whose socket is silent this long is dropped and tried again (a stalled network path). */
  requestIdleTimeoutMs: number;
  /** Longest wait between two probes of an endpoint that went offline. */
  maxProbeIntervalMs: number;
}

export interface QueueEvents {
  upload: [UploadProgressEvent];
}

/** How often the queue looks at the ledger for pauses, cancels and settings made by the author. */
const CONTROL_TICK_MS = 250;
/** Runnable rows read at once: enough to keep 16 small files going between two ticks. */
const CANDIDATE_BATCH = 64;
/**
 * Refusals that are about the connection, not the file: the bucket is gone or the keys are
 * refused. Every other file of that connection would get the same answer.
 */
const CONNECTION_REFUSALS: ReadonlySet<ErrorCode> = new Set(['no_such_bucket', 'invalid_access_key', 'signature_mismatch']);
/**
 * How long such a refusal stands for the connection's other files: they fail with it at once
 * instead of each sending a request doomed to the same answer (a thousand covers, a thousand
 * refused requests, to a provider that may start limiting a key it keeps refusing). Short, so a
 * bucket created again or a key re-enabled is tried afresh when the author resumes.
 */
const REFUSAL_STANDS_MS = 30_000;

interface RunningJob {
  controller: AbortController;
  done: Promise<void>;
  multipart: boolean;
}

/**
 * Works the queue: picks runnable rows oldest first, runs a few large files (and more small ones)
 * at once inside one global request budget, and turns every outcome into a row status. Jobs are
 * rows, so stopping this object at any moment loses nothing a restart cannot pick up.
 *
 * The ledger is also how the author steers a running queue from anywhere (the app, a second
 * `quire` command): pauses, cancels and settings written there are picked up within a tick.
 */
export class UploadQueue extends EventEmitter<QueueEvents> {
  private readonly requests: Semaphore;
  private readonly buffers: BufferPool;
  private readonly bandwidth = new BandwidthLimiter(0);
  private readonly gateways = new Map<string, S3Gateway>();
  private readonly pacers = new Map<string, RequestPacer>();
  private readonly connectivity: Connectivity;
  private readonly running = new Map<string, RunningJob>();
  private readonly waits = new Map<string, number>();
  /** Per connection, its last refusal (see CONNECTION_REFUSALS) and until when it stands. */
  private readonly refusals = new Map<string, { error: unknown; until: number }>();
  private candidates: UploadRow[] = [];
  /** Connections looked up this tick: a thousand small files need their connection once, not a thousand times. */
  private readonly connectionsThisTick = new Map<string, ConnectionSummary>();
  private housekeeping: Promise<void> | null = null;
  private aborting: Promise<number> | null = null;
  private requestsPerSecond: number;
  private paused = false;
  /** Set while the run loop waits: a finished job calls it. */
  private wake: (() => void) | null = null;
  private halted: QuireError | null = null;

  constructor(
    private readonly repository: UploadRepository,
    private readonly connections: ConnectionService,
    private readonly preferences: PreferenceStore,
    private readonly recordOperation: OperationRecorder,
    private readonly settings: QueueSettings,
    /** Settings the host fixed for this process (CLI flags): they win over stored preferences. */
    private readonly overrides: Partial<QueueSettings>,
    private readonly ledgerPath: string,
  ) {
    super();
    this.requests = new Semaphore(settings.requestBudget);
    this.buffers = new BufferPool(READ_BUFFER_SIZE, settings.requestBudget);
    this.connectivity = new Connectivity(settings.maxProbeIntervalMs);
    this.requestsPerSecond = settings.requestsPerSecond;
  }

  /**
   * Runs until nothing is queued or waiting, everything is paused, or the ledger cannot be
   * written (then it throws that error, having stopped every job: nothing is lost).
   */
  async runUntilIdle(signal?: AbortSignal): Promise<RunResult> {
    this.halted = null;
    // Each run asks the server afresh: the author may have fixed the bucket or the keys.
    this.refusals.clear();
    const touched = new Set<string>();
    // One listener for the run rather than a combined signal for each of a thousand jobs.
    const stopAll = () => {
      for (const job of this.running.values()) job.controller.abort(signal?.reason);
      this.wake?.();
    };
    signal?.addEventListener('abort', stopAll, { once: true });
    try {
      return await this.work(touched, signal);
    } finally {
      signal?.removeEventListener('abort', stopAll);
    }
  }

  private async work(touched: Set<string>, signal?: AbortSignal): Promise<RunResult> {
    let lastTick = Number.NEGATIVE_INFINITY;
    for (;;) {
      if (signal?.aborted) break;
      // The author's controls, probes and housekeeping once a tick; between ticks, a finished
      // job only makes room for the next (a thousand small files finish many per tick).
      if (performance.now() - lastTick >= CONTROL_TICK_MS) {
        lastTick = performance.now();
        this.candidates = [];
        this.connectionsThisTick.clear();
        this.guard(() => this.applyControls());
        if (this.halted) break;
        this.startHousekeeping();
        this.probeOfflineEndpoints(signal);
      }
      if (!this.paused) this.guard(() => this.fillSlots(touched));
      if (this.halted) break;
      if (this.running.size === 0 && (this.paused || !this.guard(() => this.repository.hasPending(), false))) break;
      await this.nextEvent(Math.max(0, lastTick + CONTROL_TICK_MS - performance.now()));
    }
    if (this.halted) this.stopJobs([...this.running.keys()], 'the ledger cannot be written');
    await Promise.all([...this.running.values()].map((job) => job.done));
    await this.housekeeping;
    if (this.halted) throw this.halted;
    return this.summarize(touched);
  }

  /** Resolves when a job finishes, the next tick is due, or the run is aborted (each calls `wake`). */
  private nextEvent(tickInMs: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
      const timer = setTimeout(done, tickInMs);
      this.wake = done;
    });
  }

  /** Stops jobs of this process at once (their rows say why: paused, cancelled, or queued again). */
  stopJobs(ids: string[], reason: string): void {
    for (const id of ids) this.running.get(id)?.controller.abort(new DOMException(reason, 'AbortError'));
  }

  /**
   * Aborts the server uploads of cancelled rows; returns how many are still to do (offline, say).
   * One pass at a time: a cancel and the housekeeping tick must not abort the same upload twice.
   */
  async abortCancelledSessions(): Promise<number> {
    while (this.aborting) await this.aborting.catch(() => {});
    this.aborting = this.abortCancelledSessionsOnce();
    try {
      return await this.aborting;
    } finally {
      this.aborting = null;
    }
  }

  private async abortCancelledSessionsOnce(): Promise<number> {
    let left = 0;
    for (const session of this.repository.cancelledSessions()) {
      const row = this.repository.get(session.uploadId);
      const connection = row ? this.connections.resolveById(row.connectionId) : null;
      try {
        if (connection) await (await this.gatewayFor(connection)).abortMultipartUpload(session.objectKey, session.s3UploadId, { uploadId: session.uploadId });
        this.repository.endSession(session.id, 'aborted');
      } catch (error) {
        // Already gone on the server is what cancel wanted; anything else is tried again later.
        if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) this.repository.endSession(session.id, 'aborted');
        else left += 1;
      }
    }
    return left;
  }

  /** A gateway for one-off work (the orphan janitor, verification) sharing the connection's pacing. */
  async gatewayFor(connection: ConnectionSummary): Promise<S3Gateway> {
    const cached = this.gateways.get(connection.id);
    if (cached) return cached;
    const credentials = await this.connections.credentialsFor(connection);
    const gateway = new S3Gateway(connection, credentials, this.recordOperation, {
      maxSockets: this.settings.requestBudget + 4,
      pacer: this.pacerFor(connection.id),
      bandwidth: this.bandwidth,
      requestIdleTimeoutMs: this.settings.requestIdleTimeoutMs,
    });
    this.gateways.set(connection.id, gateway);
    return gateway;
  }

  close(): void {
    this.stopJobs([...this.running.keys()], 'Quire is closing');
    for (const gateway of this.gateways.values()) gateway.destroy();
    this.gateways.clear();
  }

  /** Picks up what the author decided since the last tick, wherever they decided it. */
  private applyControls(): void {
    const preferences = this.preferences.read();
    this.paused = preferences.queuePaused;
    const limit = this.overrides.bandwidthLimit ?? preferences.bandwidthLimit;
    if (limit !== this.bandwidth.limit) this.bandwidth.setLimit(limit);
    const rate = this.overrides.requestsPerSecond ?? preferences.requestsPerSecond;
    if (rate !== this.requestsPerSecond) {
      this.requestsPerSecond = rate;
      for (const pacer of this.pacers.values()) pacer.setRate(rate);
    }
    if (this.running.size === 0) return;
    const statuses = this.repository.statusesOf([...this.running.keys()]);
    for (const id of this.running.keys()) {
      const status = statuses.get(id);
      if (this.paused || status === 'paused') this.stopJobs([id], 'paused');
      else if (status === 'cancelled' || status === undefined) this.stopJobs([id], 'cancelled');
    }
  }

  private fillSlots(touched: Set<string>): void {
    while (this.running.size < this.settings.requestBudget) {
      const multipartRunning = [...this.running.values()].filter((job) => job.multipart).length;
      const row = this.nextCandidate(multipartRunning >= this.settings.filesAtOnce);
      if (!row) return;
      touched.add(row.id);
      this.start(row);
    }
  }

  /**
   * Runnable rows are read a batch at a time (refreshed every tick, so new and newly due rows
   * come in); each is checked once more just before it starts, in case it was paused meanwhile.
   */
  private nextCandidate(singleOnly: boolean): UploadRow | null {
    for (let refreshed = false; ; refreshed = true) {
      if (refreshed || this.candidates.length === 0) {
        this.candidates = this.repository.runnable(Date.now(), CANDIDATE_BATCH, this.connectivity.offlineIds());
      }
      while (this.candidates.length > 0) {
        const index = this.candidates.findIndex((row) => !singleOnly || row.method === 'single');
        if (index === -1) break;
        const [row] = this.candidates.splice(index, 1);
        const status = this.repository.statusOf(row!.id);
        if (!this.running.has(row!.id) && (status === 'queued' || status === 'waiting')) return row!;
      }
      if (refreshed) return null;
    }
  }

  private start(row: UploadRow): void {
    const controller = new AbortController();
    const done = this.execute(row, controller.signal)
      .catch((error) => {
        // Settling itself failed. A full disk halts the queue; anything else is a bug, shown on the row.
        if (this.haltIfLedgerFailed(error)) return;
        const message = `${row.sourcePath}: ${error instanceof Error ? error.message : String(error)}`;
        this.guard(() => this.repository.setStatus(row.id, 'failed', { errorCode: 'internal', errorMessage: message, errorRetryable: true }));
      })
      .finally(() => {
        this.running.delete(row.id);
        this.wake?.();
      });
    this.running.set(row.id, { controller, done, multipart: row.method === 'multipart' });
  }

  private async execute(row: UploadRow, signal: AbortSignal): Promise<void> {
    let connection: ConnectionSummary | null = null;
    try {
      connection = this.connectionFor(row.connectionId);
      const refusal = this.standingRefusal(connection.id);
      if (refusal) throw refusal;
      const gateway = await this.gatewayFor(connection);
      await runUploadJob(row, this.contextFor(gateway, signal));
      this.waits.delete(row.id);
    } catch (error) {
      await this.settle(row, error, signal, connection);
    }
  }

  /** The server's refusal of this connection's bucket or keys, while it stands (see REFUSAL_STANDS_MS). */
  private standingRefusal(connectionId: string): unknown {
    const refusal = this.refusals.get(connectionId);
    return refusal && refusal.until > Date.now() ? refusal.error : null;
  }

  /**
   * Looked up once a tick: a connection removed meanwhile fails the jobs that start from the next
   * tick. (Connections are never edited, only removed and added anew with a new id, which is why
   * gatewayFor may keep one gateway per id for the life of the queue.)
   */
  private connectionFor(id: string): ConnectionSummary {
    let connection = this.connectionsThisTick.get(id);
    if (!connection) {
      connection = this.connections.resolveById(id);
      this.connectionsThisTick.set(id, connection);
    }
    return connection;
  }

  private contextFor(gateway: S3Gateway, signal: AbortSignal): TransferContext {
    return { repository: this.repository, gateway, requests: this.requests, buffers: this.buffers, settings: this.settings, signal, emit: (event) => this.emit('upload', event) };
  }

  /** Turns a failed run into the row's next status. */
  private async settle(row: UploadRow, error: unknown, signal: AbortSignal, connection: ConnectionSummary | null): Promise<void> {
    if (this.haltIfLedgerFailed(error)) return;
    const status = this.repository.statusOf(row.id);
    // Paused or cancelled by the author: the row already says so, whatever the job ran into.
    if (status === 'paused' || status === 'cancelled' || status === null) {
      this.emitRow(row.id);
      return;
    }
    if (signal.aborted || isAbort(error)) {
      if (!this.halted) this.repository.setStatus(row.id, 'queued');
      return;
    }
    if (error instanceof SourceChangedError && !error.deleted && connection) {
      const identity = await fingerprintFile(row.sourcePath, this.settings.multipartThreshold).catch(() => null);
      if (identity) {
        const current = this.repository.get(row.id) ?? row;
        requeueNewVersion(current, identity, this.contextFor(await this.gatewayFor(connection), signal));
        // Sent only if it is still this version after a quiet moment; if not, it comes back
        // here and waits longer. A file that never settles (a log, an export left running) fails
        // with a message rather than keeping the run going for ever.
        const changes = (this.waits.get(row.id) ?? 0) + 1;
        this.waits.set(row.id, changes);
        if (changes > this.settings.maxWaits) {
          const message = `${row.sourcePath} keeps changing: it changed ${changes} times while Quire waited for it to be finished. Resume it once nothing writes to it any more.`;
          this.repository.setStatus(row.id, 'failed', { errorCode: 'file_changed', errorMessage: message, errorRetryable: true });
        } else {
          const quietMs = SOURCE_QUIET_MS * 2 ** Math.min(changes - 1, 4);
          const message = `${error.message} It goes up once the file has been left alone for ${quietMs / 1000} seconds.`;
          this.repository.setStatus(row.id, 'waiting', { retryAfter: Date.now() + quietMs, errorCode: 'file_changed', errorMessage: message, errorRetryable: true });
        }
        this.emitRow(row.id, error.message);
        return;
      }
    }
    const quireError = error instanceof QuireError ? error : classifyS3Error(error, row.sourcePath, { endpoint: connection?.endpoint, bucket: connection?.bucket });
    // Remembered from an answer of the server, not from a file failed by a refusal that stands
    // (that would keep it standing for as long as files keep coming). The server's own error is
    // kept, so each file's message names that file.
    if (connection && CONNECTION_REFUSALS.has(quireError.code) && !(error instanceof QuireError) && !this.standingRefusal(connection.id)) {
      this.refusals.set(connection.id, { error, until: Date.now() + REFUSAL_STANDS_MS });
    }
    if (connection && isNetworkError(error)) {
      // Offline: no wait is counted and nothing gives up. One probe per endpoint decides when
      // every upload waiting on it goes again; its finished parts stay recorded meanwhile.
      const nextProbe = this.connectivity.markOffline(connection.id);
      this.repository.setStatus(row.id, 'waiting', {
        retryAfter: nextProbe,
        errorCode: OFFLINE_ERROR_CODE,
        errorMessage: `${row.sourcePath}: offline, ${connection.endpoint} cannot be reached. Finished parts are kept; the upload goes on by itself when the endpoint answers again.`,
        errorRetryable: true,
      });
      this.emitRow(row.id);
      return;
    }
    const waits = (this.waits.get(row.id) ?? 0) + 1;
    this.waits.set(row.id, waits);
    if (quireError.retryable && waits <= this.settings.maxWaits) {
      // Rate limited or a server hiccup: back off (the time is persisted, so a restart honours it).
      const retryAfter = Date.now() + Math.max(1000, backoffDelayMs(waits + 2));
      this.repository.setStatus(row.id, 'waiting', { retryAfter, errorCode: quireError.code, errorMessage: quireError.message, errorRetryable: true });
    } else {
      this.repository.setStatus(row.id, 'failed', { errorCode: quireError.code, errorMessage: quireError.message, errorRetryable: quireError.retryable });
    }
    this.emitRow(row.id);
  }

  private probeOfflineEndpoints(signal?: AbortSignal): void {
    for (const connectionId of this.connectivity.takeDueProbes()) {
      void (async () => {
        const gateway = this.gateways.get(connectionId);
        const timeout = AbortSignal.timeout(Math.min(10_000, this.settings.requestIdleTimeoutMs));
        const answered = gateway ? await gateway.probe(signal ? AbortSignal.any([signal, timeout]) : timeout) : true;
        const next = this.connectivity.probed(connectionId, answered);
        this.guard(() => (next === null ? this.repository.wakeOffline(connectionId, Date.now()) : this.repository.postponeOffline(connectionId, next)));
      })();
    }
  }

  /**
   * Background work that needs the network but no file: aborting the server uploads of cancelled
   * rows, and (every ORPHAN_CHECK_INTERVAL_MS per connection) the janitor for orphaned uploads
   * over 24 hours old. One at a time; its failures only mean "try again later".
   */
  private startHousekeeping(): void {
    if (this.housekeeping) return;
    const now = Date.now();
    const due = this.guard(() => this.repository.connectionIdsWithWork().filter((id) => !this.connectivity.isOffline(id) && this.janitorDue(id, now)), []);
    const cancelled = this.guard(() => this.repository.cancelledSessions().length > 0, false);
    if (due.length === 0 && !cancelled) return;
    this.housekeeping = (async () => {
      if (cancelled) await this.abortCancelledSessions().catch((error) => this.haltIfLedgerFailed(error));
      for (const connectionId of due) await this.cleanOrphans(connectionId).catch((error) => this.haltIfLedgerFailed(error));
    })().finally(() => {
      this.housekeeping = null;
    });
  }

  /** The janitor's last look at this bucket, by this process or any before it, is over the interval old. */
  private janitorDue(connectionId: string, now: number): boolean {
    return now - (this.connections.orphansCheckedAt(connectionId) ?? 0) >= ORPHAN_CHECK_INTERVAL_MS;
  }

  /** Recorded as checked when the check starts: one that fails (offline, say) is tried at the next interval. */
  private async cleanOrphans(connectionId: string): Promise<void> {
    this.connections.recordOrphansChecked(connectionId);
    const connection = this.connections.resolveById(connectionId);
    const gateway = await this.gatewayFor(connection);
    const orphans = await findOrphans(gateway, quirePrefixes(this.repository.objectKeys(connectionId)), this.repository.ownedActiveS3UploadIds());
    await abortOrphans(gateway, orphans.filter((orphan) => orphan.ageMs >= ORPHAN_MIN_AGE_MS));
  }

  private pacerFor(connectionId: string): RequestPacer {
    let pacer = this.pacers.get(connectionId);
    if (!pacer) {
      pacer = new RequestPacer(this.requestsPerSecond);
      this.pacers.set(connectionId, pacer);
    }
    return pacer;
  }

  /** Runs a ledger access; a ledger that cannot be written halts the queue instead of throwing. */
  private guard<T>(access: () => T, fallback?: T): T {
    try {
      return access();
    } catch (error) {
      if (!this.haltIfLedgerFailed(error)) throw error;
      return fallback as T;
    }
  }

  private haltIfLedgerFailed(error: unknown): boolean {
    const failure = ledgerFailure(error, this.ledgerPath);
    if (!failure) return false;
    if (!this.halted) {
      this.halted = failure;
      this.stopJobs([...this.running.keys()], 'the ledger cannot be written');
    }
    return true;
  }

  private emitRow(id: string, notice?: string): void {
    const row = this.repository.get(id);
    if (!row) return;
    this.emit('upload', {
      id,
      status: row.status,
      bytesDone: row.bytesDone,
      size: row.size,
      objectKey: row.objectKey,
      notice,
      error: row.errorMessage ? { code: (row.errorCode ?? 'internal') as QuireError['code'], message: row.errorMessage, retryable: row.errorRetryable ?? false } : undefined,
    });
  }

  private summarize(ids: Set<string>): RunResult {
    const result: RunResult = { verified: 0, failed: 0, cancelled: 0, waiting: 0, paused: 0 };
    for (const id of ids) {
      const status = this.repository.statusOf(id);
      if (status === 'verified') result.verified += 1;
      else if (status === 'failed') result.failed += 1;
      else if (status === 'cancelled') result.cancelled += 1;
      else if (status === 'paused') result.paused += 1;
      else result.waiting += 1;
    }
    return result;
  }
}
