import type { ConnectionSummary } from '../../../shared/connection';
import type { ErrorCode } from '../../../shared/errors';
import type { QueueState, RunResult } from '../../../shared/upload';
import type { ConnectionService } from '../connections/connectionService';
import type { EngineEvents } from '../events/engineEvents';
import { QuireError } from '../errors';
import { ledgerFailure } from '../ledger/ledgerFailure';
import type { UploadRow } from '../ledger/schema';
import type { ObjectStore } from '../s3/gateway';
import type { GatewayPool } from '../s3/gatewayPool';
import { backoffDelayMs, httpStatusOf } from '../s3/retryPolicy';
import { BufferPool } from '../util/bufferPool';
import { Semaphore } from '../util/semaphore';
import { Connectivity } from './connectivity';
import { READ_BUFFER_SIZE } from './fileHashes';
import { fingerprintFile } from './fingerprint';
import { ORPHAN_CHECK_INTERVAL_MS, ORPHAN_MIN_AGE_MS, abortOrphans, findOrphans, quirePrefixes } from './janitor';
import { outcomeOfFailure, type JobOutcome } from './jobOutcome';
import { SOURCE_QUIET_MS } from './sourceFile';
import type { EngineSettings, SettingsStore } from '../settings';
import type { TransferContext } from './transferContext';
import type { UploadChanges } from './uploadChanges';
import { requeueNewVersion, runUploadJob } from './uploadJob';
import { OFFLINE_ERROR_CODE, type UploadRepository } from './uploadRepository';


/** While there is work: how often the queue looks at the ledger for the author's pauses, cancels and settings. */
const CONTROL_TICK_MS = 250;
/**
 * While idle: how often it counts the pending rows (an indexed count of a few rows), which is how
 * an enqueue or a resume from another process (a second shell) is seen.
 */
const IDLE_POLL_MS = 500;
/** After the ledger could not be written (a full disk), how long before trying again; a nudge tries at once. */
const HALT_RETRY_MS = 5000;
/** How long a stopping queue waits for housekeeping it can cut off (see drive). */
const HOUSEKEEPING_GRACE_MS = 2000;
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

interface IdleWaiter {
  touched: Set<string>;
  resolve: (result: RunResult) => void;
  reject: (error: unknown) => void;
}

export interface QueuePorts {
  repository: UploadRepository;
  connections: ConnectionService;
  settings: SettingsStore;
  gateways: GatewayPool;
  changes: UploadChanges;
  events: EngineEvents;
  ledgerPath: string;
  /** The wall clock of retry and probe times (Date.now; the fast tests move their own). */
  clock: () => number;
  /** Uploads whose images are being prepared before they may be sent (images/imagePreparer.ts): the queue is not idle while any are. */
  preparing: () => string[];
  /** A file changed under its upload: an image's set made from the old version is given up (returns the rows that changed). */
  sourceChanged: (row: UploadRow) => string[];
}

/**
 * The scheduler: while started, it picks runnable rows oldest first, runs a few large files (and
 * more small ones) at once inside one global request budget, and settles each job's outcome into
 * its row. With nothing to do it idles, and wakes when work arrives: at once for anything done in
 * this process (`nudge`), within a second for anything another process wrote to the ledger.
 * Jobs are rows, so stopping at any moment loses nothing a restart cannot pick up.
 */
export class UploadQueue {
  private readonly requests: Semaphore;
  private readonly buffers: BufferPool;
  private readonly connectivity: Connectivity;
  private readonly running = new Map<string, RunningJob>();
  /** Per connection, its last refusal (see CONNECTION_REFUSALS) and until when it stands. */
  private readonly refusals = new Map<string, { error: unknown; until: number }>();
  private candidates: UploadRow[] = [];
  /** Connections looked up this tick: a thousand small files need their connection once, not a thousand times. */
  private readonly connectionsThisTick = new Map<string, ConnectionSummary>();
  private readonly idleWaiters = new Set<IdleWaiter>();
  private housekeeping: Promise<void> | null = null;
  private housekeepingStop = new AbortController();
  private readonly probes = new Set<Promise<void>>();
  private probesStop = new AbortController();
  private aborting: Promise<number> | null = null;
  private loop: Promise<void> | null = null;
  private stopping = false;
  private paused = false;
  private nudged = false;
  private pending = 0;
  /** Set while the loop sleeps; `woken` keeps a wake-up that came while it was busy. */
  private wakeSleeper: (() => void) | null = null;
  private woken = false;
  private halted: QuireError | null = null;
  private publishedShape = '';
  private publishedCounts = '';
  private publishedAt = Number.NEGATIVE_INFINITY;
  private lastTick = Number.NEGATIVE_INFINITY;
  /** The author's tunings in force, read at every tick (settings may change from any process). */
  private tuning: Pick<EngineSettings, 'requestBudget' | 'filesAtOnce' | 'partSize'>;

  constructor(
    private readonly ports: QueuePorts,
    private readonly settings: EngineSettings,
  ) {
    this.tuning = { requestBudget: settings.requestBudget, filesAtOnce: settings.filesAtOnce, partSize: settings.partSize };
    this.requests = new Semaphore(settings.requestBudget);
    this.buffers = new BufferPool(READ_BUFFER_SIZE, settings.requestBudget);
    this.connectivity = new Connectivity(settings.maxProbeIntervalMs);
  }

  private get repository(): UploadRepository {
    return this.ports.repository;
  }

  get started(): boolean {
    return this.loop !== null;
  }

  /** Starts the scheduler (the caller holds the queue lock). Starting a started queue changes nothing. */
  start(): void {
    if (this.loop) return;
    this.stopping = false;
    this.halted = null;
    this.probesStop = new AbortController();
    // Each start asks the server afresh: the author may have fixed the bucket or the keys.
    this.refusals.clear();
    this.loop = this.drive();
  }

  /** Stops at part boundaries: in-flight requests are aborted, every finished part stays recorded. */
  async stop(): Promise<void> {
    if (!this.loop) return;
    this.stopping = true;
    this.stopJobs([...this.running.keys()], 'Quire is stopping');
    this.wake();
    await this.loop;
  }

  /** An upload another stage worked on (an image prepared): a waiting run counts how it ends. */
  workedOn(id: string): void {
    for (const waiter of this.idleWaiters) waiter.touched.add(id);
  }

  /** Something changed in this process (an enqueue, a resume, a setting): look now, not at the next tick. */
  nudge(): void {
    this.nudged = true;
    this.wake();
  }

  /**
   * Resolves once nothing can move without the author (all done, failed or paused), with how the
   * uploads worked on meanwhile ended; or when the queue stops. Rejects if the ledger cannot be
   * written (a full disk), having stopped every job: nothing is lost. (The queue itself goes on
   * trying every few seconds, and carries on once there is room: a host that stays open recovers.)
   */
  whenIdle(): Promise<RunResult> {
    if (!this.loop) return Promise.reject(new QuireError('internal', 'The upload queue is not started.'));
    return new Promise((resolve, reject) => {
      // Uploads already under way count as worked on meanwhile (a run beside a started engine).
      this.idleWaiters.add({ touched: new Set([...this.running.keys(), ...this.ports.preparing()]), resolve, reject });
      this.nudge();
    });
  }

  state(): QueueState {
    const offline = this.connectivity.offlineSchedule().map(({ connectionId, nextProbeAt }) => ({ connectionId, endpoint: this.endpointOf(connectionId), nextProbeAt }));
    const active = this.running.size + (this.loop ? this.ports.preparing().length : 0);
    const state: QueueState['state'] = this.halted ? 'halted' : !this.loop ? 'stopped' : active > 0 ? 'running' : this.paused ? 'paused' : this.pending > 0 ? 'waiting' : 'idle';
    return { state, active, pending: this.pending, offline, halted: this.halted?.toData() ?? null };
  }

  private async drive(): Promise<void> {
    // The first look happens after the caller's current step: a `run` that starts the queue and
    // then waits for it is registered before any job starts, so its report counts them all.
    await Promise.resolve();
    let failure: unknown = null;
    try {
      await this.work();
    } catch (error) {
      failure = error;
    }
    this.stopJobs([...this.running.keys()], this.halted ? 'the ledger cannot be written' : 'Quire is stopping');
    this.probesStop.abort();
    await Promise.all([...this.running.values()].map((job) => job.done));
    await Promise.all(this.probes);
    // Housekeeping (the janitor's listings, aborts of cancelled uploads) gets a moment to finish,
    // then is stopped before its next request: it is all done again at the next start, and a
    // stalled network must not keep Quire from quitting.
    if (this.housekeeping) {
      let grace: NodeJS.Timeout | undefined;
      await Promise.race([this.housekeeping, new Promise((resolve) => (grace = setTimeout(resolve, HOUSEKEEPING_GRACE_MS)))]);
      clearTimeout(grace);
      this.housekeepingStop.abort();
    }
    await this.ports.changes.drain();
    this.loop = null;
    this.publish();
    const waiters = [...this.idleWaiters];
    this.idleWaiters.clear();
    for (const waiter of waiters) this.settleWaiter(waiter, failure);
  }

  /** Tells one waiting run how it went (or why it could not): every waiter hears, whatever happens. */
  private settleWaiter(waiter: IdleWaiter, failure: unknown): void {
    if (failure) return waiter.reject(failure);
    try {
      waiter.resolve(this.summarize(waiter.touched));
    } catch (error) {
      waiter.reject(error);
    }
  }

  private endpointOf(connectionId: string): string {
    try {
      return this.connectionFor(connectionId).endpoint;
    } catch {
      return '';
    }
  }

  private async work(): Promise<void> {
    while (!this.stopping) {
      try {
        if (this.halted) await this.waitOutHalt();
        else await this.turn();
      } catch (error) {
        // Not a full disk but something nobody foresaw (SQLite busy past its timeout, a bug):
        // the queue halts with the reason, keeps its lock and tries again, rather than dying
        // quietly while it holds the lock every other process is refused by.
        this.halted = unexpected(error);
        this.stopJobs([...this.running.keys()], 'the queue ran into an error');
      }
    }
  }

  /** One turn of the loop: a tick when due, slots filled, idle waiters settled, then a sleep. */
  private async turn(): Promise<void> {
    const busy = this.running.size > 0 || this.pending > 0;
    const interval = busy ? CONTROL_TICK_MS : IDLE_POLL_MS;
    const tickDue = performance.now() - this.lastTick >= interval;
    // The author's controls, probes and housekeeping once a tick; between ticks, a finished
    // job only makes room for the next (a thousand small files finish many per tick). Idle,
    // a tick happens only when asked to, or when pending rows appeared (another process).
    const ticks = this.nudged || (tickDue && busy);
    if (ticks) {
      this.lastTick = performance.now();
      this.nudged = false;
      this.tick();
      if (this.halted) return;
    }
    if ((ticks || busy) && !this.paused) this.guard(() => this.fillSlots());
    if (this.halted) return;
    // Counted afresh whenever nothing runs: a job that just ended may have left its row waiting
    // (a count from while it ran would call that idle), and another process may have queued work.
    if (this.running.size === 0) this.pending = this.guard(() => this.repository.pendingCount(), 0);
    this.publish();
    if (this.running.size === 0 && this.ports.preparing().length === 0 && (this.paused || this.pending === 0)) await this.settleIdleWaiters();
    // Busy: until the next tick (a finished job wakes it sooner). Idle: one look per poll.
    await this.sleep(busy ? Math.max(0, this.lastTick + interval - performance.now()) : IDLE_POLL_MS);
  }

  /**
   * The ledger cannot be written: every job was stopped (what each recorded before stays), waiting
   * runs hear why, and the queue tries again after a while. Rows the stopped jobs could not put
   * back are requeued then, as after a crash: this process holds the lock and runs nothing.
   */
  private async waitOutHalt(): Promise<void> {
    await Promise.all([...this.running.values()].map((job) => job.done));
    this.publish();
    const waiters = [...this.idleWaiters];
    this.idleWaiters.clear();
    for (const waiter of waiters) this.settleWaiter(waiter, this.halted);
    // Only a nudge (the author acting) or a stop cuts the wait short: the wake-ups the stopped
    // jobs left behind must not, or a disk that stays full would be retried without pause.
    this.woken = false;
    if (!this.stopping && !this.nudged) await this.sleep(HALT_RETRY_MS);
    if (this.stopping) return;
    let requeued: string[];
    try {
      requeued = this.repository.requeueInterrupted();
    } catch (error) {
      if (!ledgerFailure(error, this.ports.ledgerPath)) this.halted = unexpected(error);
      return; // Still halted: the next turn of the loop waits again.
    }
    for (const id of requeued) this.ports.changes.changed(id);
    this.halted = null;
    this.nudged = true;
  }

  private tick(): void {
    this.candidates = [];
    this.connectionsThisTick.clear();
    this.guard(() => this.applyControls());
    if (this.halted) return;
    this.pending = this.guard(() => this.repository.pendingCount(), this.pending);
    this.startHousekeeping();
    this.probeOfflineEndpoints();
  }

  private async settleIdleWaiters(): Promise<void> {
    if (this.idleWaiters.size === 0) return;
    const waiters = [...this.idleWaiters];
    this.idleWaiters.clear();
    await this.ports.changes.drain();
    for (const waiter of waiters) this.settleWaiter(waiter, null);
  }

  /**
   * The queue's state for hosts, sent when it changes: at once for a new state (idle, running,
   * offline, halted...), at most once a tick for the counts alone (a thousand small files would
   * otherwise send two events each).
   */
  private publish(): void {
    const state = this.state();
    const shape = `${state.state}|${state.offline.map((o) => o.connectionId).join(',')}|${state.halted?.code ?? ''}`;
    const counts = `${state.active}|${state.pending}`;
    const now = performance.now();
    if (shape === this.publishedShape && (counts === this.publishedCounts || now - this.publishedAt < CONTROL_TICK_MS)) return;
    this.publishedShape = shape;
    this.publishedCounts = counts;
    this.publishedAt = now;
    this.ports.events.emit('queue.state', state);
  }

  /** Resolves when the loop is woken (a job finished, a nudge, a stop) or `ms` have passed. */
  private sleep(ms: number): Promise<void> {
    if (this.woken) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeSleeper = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeSleeper = done;
    });
  }

  private wake(): void {
    if (this.wakeSleeper) this.wakeSleeper();
    else this.woken = true;
  }

  /** Stops jobs of this process at once (their rows say why: paused, cancelled, or queued again). */
  stopJobs(ids: string[], reason: string): void {
    for (const id of ids) this.running.get(id)?.controller.abort(new DOMException(reason, 'AbortError'));
  }

  /**
   * Aborts the server uploads of cancelled rows; returns how many are still to do (offline, say).
   * One pass at a time: a cancel and the housekeeping tick must not abort the same upload twice.
   */
  async abortCancelledSessions(signal?: AbortSignal): Promise<number> {
    while (this.aborting) await this.aborting.catch(() => {});
    this.aborting = this.abortCancelledSessionsOnce(signal);
    try {
      return await this.aborting;
    } finally {
      this.aborting = null;
    }
  }

  private async abortCancelledSessionsOnce(signal?: AbortSignal): Promise<number> {
    let left = 0;
    for (const session of this.repository.cancelledSessions()) {
      signal?.throwIfAborted();
      const row = this.repository.get(session.uploadId);
      const connection = row ? this.ports.connections.resolveById(row.connectionId) : null;
      try {
        if (connection) await (await this.ports.gateways.forConnection(connection)).abortMultipartUpload(session.objectKey, session.s3UploadId, { uploadId: session.uploadId });
        this.repository.endSession(session.id, 'aborted');
      } catch (error) {
        // Already gone on the server is what cancel wanted; anything else is tried again later.
        if (httpStatusOf(error) === 404) this.repository.endSession(session.id, 'aborted');
        else left += 1;
      }
    }
    return left;
  }

  /** Picks up what the author decided since the last tick, wherever they decided it. */
  private applyControls(): void {
    const settings = this.ports.settings.inForce();
    this.paused = settings.queuePaused;
    this.ports.gateways.setBandwidthLimit(settings.bandwidthLimit);
    this.ports.gateways.setRequestsPerSecond(settings.requestsPerSecond);
    // Requests in flight and files at once change the next start of a job; a part size the
    // next multipart session (a session keeps the part size it began with, for its resume).
    if (settings.requestBudget !== this.requests.capacity) {
      this.requests.resize(settings.requestBudget);
      this.buffers.keep = settings.requestBudget;
    }
    this.tuning = { requestBudget: settings.requestBudget, filesAtOnce: settings.filesAtOnce, partSize: settings.partSize };
    if (this.running.size === 0) return;
    const statuses = this.repository.statusesOf([...this.running.keys()]);
    for (const id of this.running.keys()) {
      const status = statuses.get(id);
      if (this.paused || status === 'paused') this.stopJobs([id], 'paused');
      else if (status === 'cancelled' || status === undefined) this.stopJobs([id], 'cancelled');
    }
  }

  private fillSlots(): void {
    while (this.running.size < this.tuning.requestBudget && !this.stopping) {
      const multipartRunning = [...this.running.values()].filter((job) => job.multipart).length;
      const row = this.nextCandidate(multipartRunning >= this.tuning.filesAtOnce);
      if (!row) return;
      for (const waiter of this.idleWaiters) waiter.touched.add(row.id);
      this.startJob(row);
    }
  }

  /**
   * Runnable rows are read a batch at a time (refreshed every tick, so new and newly due rows
   * come in); each is checked once more just before it starts, in case it was paused meanwhile.
   */
  private nextCandidate(singleOnly: boolean): UploadRow | null {
    for (let refreshed = false; ; refreshed = true) {
      if (refreshed || this.candidates.length === 0) {
        this.candidates = this.repository.runnable(this.ports.clock(), CANDIDATE_BATCH, this.connectivity.offlineIds());
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

  private startJob(row: UploadRow): void {
    const controller = new AbortController();
    const done = this.execute(row, controller.signal)
      .catch((error) => {
        // Settling itself failed. A full disk halts the queue; anything else is a bug, shown on the row.
        if (this.haltIfLedgerFailed(error)) return;
        const message = `${row.sourcePath}: ${error instanceof Error ? error.message : String(error)}`;
        try {
          this.guard(() => this.repository.move(row.id, 'failed', { errorCode: 'internal', errorMessage: message, errorRetryable: true }));
          this.ports.changes.changed(row.id);
        } catch (failure) {
          // Not even that could be written: the queue halts with the reason and tries again.
          this.halted ??= unexpected(failure);
          this.wake();
        }
      })
      .finally(() => {
        this.running.delete(row.id);
        this.wake();
      });
    this.running.set(row.id, { controller, done, multipart: row.method === 'multipart' });
  }

  private async execute(row: UploadRow, signal: AbortSignal): Promise<void> {
    let connection: ConnectionSummary | null = null;
    let gateway: ObjectStore | null = null;
    let outcome: JobOutcome;
    try {
      connection = this.connectionFor(row.connectionId);
      const refusal = this.standingRefusal(connection.id);
      if (refusal) throw refusal;
      gateway = await this.ports.gateways.forConnection(connection);
      outcome = { kind: 'verified', verified: await runUploadJob(row, this.contextFor(gateway, signal)) };
    } catch (error) {
      if (this.haltIfLedgerFailed(error)) return;
      outcome = outcomeOfFailure(error, signal, row, { endpoint: connection?.endpoint, bucket: connection?.bucket });
    }
    await this.settle(row, outcome, connection, gateway);
  }

  /** The server's refusal of this connection's bucket or keys, while it stands (see REFUSAL_STANDS_MS). */
  private standingRefusal(connectionId: string): unknown {
    const refusal = this.refusals.get(connectionId);
    return refusal && refusal.until > this.ports.clock() ? refusal.error : null;
  }

  /** Looked up once a tick: a connection removed meanwhile fails the jobs that start from the next tick. */
  private connectionFor(id: string): ConnectionSummary {
    let connection = this.connectionsThisTick.get(id);
    if (!connection) {
      connection = this.ports.connections.resolveById(id);
      this.connectionsThisTick.set(id, connection);
    }
    return connection;
  }

  private contextFor(gateway: ObjectStore, signal: AbortSignal): TransferContext {
    const changes = this.ports.changes;
    const settings = { ...this.settings, partSize: this.tuning.partSize };
    return { repository: this.repository, gateway, requests: this.requests, buffers: this.buffers, settings, signal, changed: (id, notice) => changes.changed(id, notice), sending: (id, bytes) => changes.sending(id, bytes) };
  }

  /**
   * The one place a job's end becomes the row's status: one write per outcome, each allowed by the
   * state machine (a row the author paused or cancelled meanwhile refuses the job's write), then
   * the hosts hear of it. Limits are counted in the row, so they hold across restarts.
   */
  private async settle(row: UploadRow, outcome: JobOutcome, connection: ConnectionSummary | null, gateway: ObjectStore | null): Promise<void> {
    const { repository, changes } = this.ports;
    const now = this.ports.clock();
    switch (outcome.kind) {
      case 'verified': {
        const { key, etag, sha256, notice } = outcome.verified;
        repository.markVerified(row.id, { objectKey: key, etag, size: row.size, sha256 });
        changes.changed(row.id, notice);
        return;
      }
      case 'stopped':
        // Paused or cancelled by the author: the row already says so. Stopped by the engine: runnable again.
        repository.moveMany([row.id], 'queued', {}, ['preparing', 'uploading', 'completing']);
        changes.changed(row.id);
        return;
      case 'changed': {
        const identity = await fingerprintFile(row.sourcePath, this.settings.multipartThreshold).catch(() => null);
        const current = repository.get(row.id);
        if (!current) return;
        if (!identity || !gateway) {
          repository.move(row.id, 'failed', { errorCode: 'file_missing', errorMessage: outcome.error.message, errorRetryable: true });
          changes.changed(row.id);
          return;
        }
        requeueNewVersion(current, identity, { repository, gateway, settings: this.settings });
        // An image whose web set was made from the old version owes a new one (its sizes not yet sent are dropped).
        for (const id of this.ports.sourceChanged(current)) changes.changed(id);
        // Sent only if it is still this version after a quiet moment; if not, it comes back
        // here and waits longer. A file that never settles (a log, an export left running) fails
        // with a message rather than keeping the queue busy for ever.
        const changeCount = current.changeCount + 1;
        if (changeCount > this.settings.maxWaits) {
          const message = `${row.sourcePath} keeps changing: it changed ${changeCount} times while Quire waited for it to be finished. Resume it once nothing writes to it any more.`;
          repository.move(row.id, 'failed', { changeCount, errorCode: 'file_changed', errorMessage: message, errorRetryable: true });
          changes.changed(row.id);
          return;
        }
        const quietMs = SOURCE_QUIET_MS * 2 ** Math.min(changeCount - 1, 4);
        const message = `${outcome.error.message} It goes up once the file has been left alone for ${quietMs / 1000} seconds.`;
        const waits = repository.move(row.id, 'waiting', { changeCount, retryAfter: now + quietMs, errorCode: 'file_changed', errorMessage: message, errorRetryable: true });
        // Said only when it is so (a row the author paused meanwhile stays paused, with the new version recorded).
        changes.changed(row.id, waits ? `${row.sourcePath} changed since it was queued: uploading the new version.` : undefined);
        return;
      }
      case 'offline': {
        // No wait is counted and nothing gives up. One probe per endpoint decides when every
        // upload waiting on it goes again; its finished parts stay recorded meanwhile.
        if (!connection) return;
        const nextProbe = this.connectivity.markOffline(connection.id, now);
        repository.move(row.id, 'waiting', {
          retryAfter: nextProbe,
          errorCode: OFFLINE_ERROR_CODE,
          errorMessage: `${row.sourcePath}: offline, ${connection.endpoint} cannot be reached. Finished parts are kept; the upload goes on by itself when the endpoint answers again.`,
          errorRetryable: true,
        });
        changes.changed(row.id);
        return;
      }
      case 'retry': {
        const waitCount = (repository.get(row.id)?.waitCount ?? row.waitCount) + 1;
        if (waitCount > this.settings.maxWaits) {
          repository.move(row.id, 'failed', { waitCount, errorCode: outcome.error.code, errorMessage: outcome.error.message, errorRetryable: true });
        } else {
          // Rate limited or a server hiccup: back off (the time is in the row, so a restart honours it).
          const retryAfter = now + Math.max(1000, backoffDelayMs(waitCount + 2));
          repository.move(row.id, 'waiting', { waitCount, retryAfter, errorCode: outcome.error.code, errorMessage: outcome.error.message, errorRetryable: true });
        }
        changes.changed(row.id);
        return;
      }
      case 'failed': {
        const { error } = outcome;
        // Remembered from an answer of the server, not from a file failed by a refusal that stands
        // (that would keep it standing for as long as files keep coming). The server's own error
        // is kept, so each file failed by it gets a message naming that file.
        if (connection && outcome.fromServer && CONNECTION_REFUSALS.has(error.code) && !this.standingRefusal(connection.id)) {
          this.refusals.set(connection.id, { error: error.cause, until: now + REFUSAL_STANDS_MS });
          this.ports.events.emit('connection.refused', { connectionId: connection.id, connection: connection.name, error: error.toData() });
        }
        repository.move(row.id, 'failed', { errorCode: error.code, errorMessage: error.message, errorRetryable: error.retryable });
        changes.changed(row.id);
        return;
      }
      default: {
        const unhandled: never = outcome;
        throw new Error(`Unhandled job outcome ${JSON.stringify(unhandled)}`);
      }
    }
  }

  /** The system reports the network back: offline endpoints are probed now, not at their next turn. */
  probeOfflineNow(): void {
    this.connectivity.probeAllNow(this.ports.clock());
    this.nudge();
  }

  /** One probe per offline endpoint that is due; each is waited for when the queue stops. */
  private probeOfflineEndpoints(): void {
    for (const connectionId of this.connectivity.takeDueProbes(this.ports.clock())) {
      const probe = this.probe(connectionId).finally(() => this.probes.delete(probe));
      this.probes.add(probe);
    }
  }

  private async probe(connectionId: string): Promise<void> {
    const gateway = await this.ports.gateways.existing(connectionId)?.catch(() => undefined);
    const signal = AbortSignal.any([this.probesStop.signal, AbortSignal.timeout(Math.min(10_000, this.settings.requestIdleTimeoutMs))]);
    const answered = gateway ? await gateway.probe(signal) : true;
    // Stopping: the answer is not written (the ledger may be closing); the probe is due again at
    // once, so a start in this process probes afresh.
    if (this.probesStop.signal.aborted) return this.connectivity.abandonProbe(connectionId);
    const next = this.connectivity.probed(connectionId, answered, this.ports.clock());
    try {
      this.guard(() => (next === null ? this.repository.wakeOffline(connectionId, this.ports.clock()) : this.repository.postponeOffline(connectionId, next)));
    } catch {
      // Not a ledger failure the guard knows: the next probe writes its answer.
    }
    if (next === null) this.nudge();
  }

  /**
   * Background work that needs the network but no file: aborting the server uploads of cancelled
   * rows, and (every ORPHAN_CHECK_INTERVAL_MS per connection) the janitor for orphaned uploads
   * over 24 hours old. One at a time; its failures only mean "try again later".
   */
  private startHousekeeping(): void {
    if (this.housekeeping || this.stopping) return;
    const now = this.ports.clock();
    const due = this.guard(() => this.repository.connectionIdsWithWork().filter((id) => !this.connectivity.isOffline(id) && this.janitorDue(id, now)), []);
    const cancelled = this.guard(() => this.repository.cancelledSessions().length > 0, false);
    if (due.length === 0 && !cancelled) return;
    this.housekeepingStop = new AbortController();
    const { signal } = this.housekeepingStop;
    // Cut off when the queue stops, its failures are not news then (the ledger may be closed).
    const failed = (error: unknown) => void (signal.aborted || this.haltIfLedgerFailed(error));
    this.housekeeping = (async () => {
      if (cancelled) await this.abortCancelledSessions(signal).catch(failed);
      for (const connectionId of due) if (!signal.aborted) await this.cleanOrphans(connectionId, signal).catch(failed);
    })().finally(() => {
      this.housekeeping = null;
    });
  }

  /** The janitor's last look at this bucket, by this process or any before it, is over the interval old. */
  private janitorDue(connectionId: string, now: number): boolean {
    return now - (this.ports.connections.orphansCheckedAt(connectionId) ?? 0) >= ORPHAN_CHECK_INTERVAL_MS;
  }

  /** Recorded as checked when the check starts: one that fails (offline, say) is tried at the next interval. */
  private async cleanOrphans(connectionId: string, signal: AbortSignal): Promise<void> {
    this.ports.connections.recordOrphansChecked(connectionId);
    const connection = this.ports.connections.resolveById(connectionId);
    const gateway = await this.ports.gateways.forConnection(connection);
    const orphans = await findOrphans(gateway, quirePrefixes(this.repository.objectKeys(connectionId)), this.repository.ownedActiveS3UploadIds(), this.ports.clock(), signal);
    await abortOrphans(gateway, orphans.filter((orphan) => orphan.ageMs >= ORPHAN_MIN_AGE_MS), signal);
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
    const failure = ledgerFailure(error, this.ports.ledgerPath);
    if (!failure) return false;
    if (!this.halted) {
      this.halted = failure;
      this.stopJobs([...this.running.keys()], 'the ledger cannot be written');
      this.wake();
    }
    return true;
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

/** An error no rule foresaw, as the reason the queue halted. */
function unexpected(error: unknown): QuireError {
  return new QuireError('internal', `The upload queue stopped on an unexpected error and tries again in a few seconds: ${error instanceof Error ? error.message : String(error)}`, { retryable: true, cause: error });
}
