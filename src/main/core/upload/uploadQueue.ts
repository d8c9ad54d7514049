import { EventEmitter } from 'node:events';
import type { ConnectionSummary } from '../../../shared/connection';
import type { RunResult, UploadProgressEvent } from '../../../shared/upload';
import type { ConnectionService } from '../connections/connectionService';
import { QuireError } from '../errors';
import type { UploadRow } from '../ledger/schema';
import { classifyS3Error } from '../s3/classifyError';
import { S3Gateway, type OperationRecorder } from '../s3/gateway';
import { backoffDelayMs, isAbort } from '../s3/retryPolicy';
import { Semaphore } from '../util/semaphore';
import { sleep } from '../util/sleep';
import { fingerprintFile } from './fingerprint';
import type { TransferSettings } from './transferContext';
import { SourceChangedError, requeueNewVersion, runUploadJob } from './uploadJob';
import type { UploadRepository } from './uploadRepository';

export interface QueueSettings extends TransferSettings {
  /** Files uploading at once (the platform specs' bulk limit is 3). */
  filesAtOnce: number;
  /** S3 requests in flight across all files. */
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

/**
 * Works the queue: picks runnable rows oldest first, runs a few files at once inside one global
 * request budget, and turns every outcome into a row status. Jobs are rows, so stopping this
 * object at any moment loses nothing a restart cannot pick up.
 */
export class UploadQueue extends EventEmitter<QueueEvents> {
  private readonly requests: Semaphore;
  private readonly gateways = new Map<string, S3Gateway>();
  private readonly running = new Map<string, { controller: AbortController; done: Promise<void> }>();
  private readonly waits = new Map<string, number>();

  constructor(
    private readonly repository: UploadRepository,
    private readonly connections: ConnectionService,
    private readonly recordOperation: OperationRecorder,
    private readonly settings: QueueSettings,
  ) {
    super();
    this.requests = new Semaphore(settings.requestBudget);
  }

  /** Runs until nothing is queued and nothing waiting is due within the run. */
  async runUntilIdle(signal?: AbortSignal): Promise<RunResult> {
    const touched = new Set<string>();
    for (;;) {
      if (signal?.aborted) break;
      while (this.running.size < this.settings.filesAtOnce) {
        const row = this.repository.nextRunnable(Date.now(), [...this.running.keys()]);
        if (!row) break;
        touched.add(row.id);
        this.start(row, signal);
      }
      if (this.running.size > 0) {
        await Promise.race([...this.running.values()].map((job) => job.done));
        continue;
      }
      const retryAt = this.repository.earliestRetry();
      if (retryAt === null) break;
      await sleep(Math.max(0, retryAt - Date.now()), signal).catch(() => {});
    }
    await Promise.all([...this.running.values()].map((job) => job.done));
    return this.summarize(touched);
  }

  close(): void {
    for (const job of this.running.values()) job.controller.abort(new DOMException('Quire is closing', 'AbortError'));
    for (const gateway of this.gateways.values()) gateway.destroy();
    this.gateways.clear();
  }

  private start(row: UploadRow, outer?: AbortSignal): void {
    const controller = new AbortController();
    const signal = outer ? AbortSignal.any([outer, controller.signal]) : controller.signal;
    const done = this.execute(row, signal).finally(() => this.running.delete(row.id));
    this.running.set(row.id, { controller, done });
  }

  private async execute(row: UploadRow, signal: AbortSignal): Promise<void> {
    let connection: ConnectionSummary | null = null;
    try {
      connection = this.connections.resolveById(row.connectionId);
      const gateway = await this.gatewayFor(connection);
      await runUploadJob(row, {
        repository: this.repository,
        gateway,
        requests: this.requests,
        settings: this.settings,
        signal,
        emit: (event) => this.emit('upload', event),
      });
    } catch (error) {
      await this.settle(row, error, signal, connection);
    }
  }

  /** Turns a failed run into the row's next status. */
  private async settle(row: UploadRow, error: unknown, signal: AbortSignal, connection: ConnectionSummary | null): Promise<void> {
    // A pause, a cancel or closing the app is not a failure: whoever aborted sets the status.
    if (signal.aborted || isAbort(error)) {
      if (this.repository.get(row.id)?.status !== 'paused' && this.repository.get(row.id)?.status !== 'cancelled') {
        this.repository.setStatus(row.id, 'queued');
      }
      return;
    }
    if (error instanceof SourceChangedError && !error.deleted) {
      const identity = await fingerprintFile(row.sourcePath).catch(() => null);
      if (identity) {
        const current = this.repository.get(row.id) ?? row;
        const gateway = connection ? await this.gatewayFor(connection).catch(() => null) : null;
        if (gateway) {
          requeueNewVersion(current, identity, { repository: this.repository, gateway, requests: this.requests, settings: this.settings, signal, emit: (event) => this.emit('upload', event) });
          this.repository.setStatus(row.id, 'queued', { errorCode: 'file_changed', errorMessage: error.message, errorRetryable: true });
          this.emitRow(row.id, error.message);
          return;
        }
      }
    }
    const quireError = error instanceof QuireError ? error : classifyS3Error(error, row.sourcePath, { endpoint: connection?.endpoint, bucket: connection?.bucket });
    const waits = (this.waits.get(row.id) ?? 0) + 1;
    this.waits.set(row.id, waits);
    if (quireError.retryable && waits <= this.settings.maxWaits) {
      // Offline or rate limited: wait and come back by itself; finished parts stay recorded.
      const retryAfter = Date.now() + Math.max(1000, backoffDelayMs(waits + 2));
      this.repository.setStatus(row.id, 'waiting', { retryAfter, errorCode: quireError.code, errorMessage: quireError.message, errorRetryable: true });
    } else {
      this.repository.setStatus(row.id, 'failed', { errorCode: quireError.code, errorMessage: quireError.message, errorRetryable: quireError.retryable });
    }
    this.emitRow(row.id);
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

  private async gatewayFor(connection: ConnectionSummary): Promise<S3Gateway> {
    const cached = this.gateways.get(connection.id);
    if (cached) return cached;
    const credentials = await this.connections.credentialsFor(connection);
    const gateway = new S3Gateway(connection, credentials, this.recordOperation, { maxSockets: this.settings.requestBudget + 4 });
    this.gateways.set(connection.id, gateway);
    return gateway;
  }

  private summarize(ids: Set<string>): RunResult {
    const result: RunResult = { verified: 0, failed: 0, cancelled: 0, waiting: 0 };
    for (const id of ids) {
      const status = this.repository.get(id)?.status;
      if (status === 'verified') result.verified += 1;
      else if (status === 'failed') result.failed += 1;
      else if (status === 'cancelled') result.cancelled += 1;
      else result.waiting += 1;
    }
    return result;
  }
}
