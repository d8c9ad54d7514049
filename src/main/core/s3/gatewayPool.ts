import type { ConnectionSummary } from '../../../shared/connection';
import { BandwidthLimiter } from './bandwidthLimiter';
import { s3GatewayFactory, type Credentials, type GatewayFactory, type ObjectStore, type OperationRecorder } from './gateway';
import { RequestPacer } from './requestPacer';

export interface GatewayPoolOptions {
  /** Sockets per connection: the request budget plus room for control requests beside it. */
  maxSockets: number;
  requestIdleTimeoutMs: number;
  maxAttempts: number;
  /**
   * The pace and the bandwidth cap in force (the author's saved settings, or the host's fixed
   * ones), read whenever a gateway is asked for: a usage scan, a preview or the janitor in a
   * process whose queue never ticks goes by them too.
   */
  limits: () => { requestsPerSecond: number; bandwidthLimit: number };
}

/**
 * The engine's one gateway per connection. Uploads, verification, links, the orphan janitor,
 * connection tests and probes all share it, so every request a connection sends is paced
 * together (a SlowDown earned by uploads slows the janitor too), limited by the one bandwidth
 * cap and retried by the one rule. Connections are never edited, only removed and added anew with
 * a new id, so a gateway kept per id never goes stale.
 */
export class GatewayPool {
  private readonly gateways = new Map<string, Promise<ObjectStore>>();
  private readonly pacers = new Map<string, RequestPacer>();
  private readonly bandwidth: BandwidthLimiter;
  private requestsPerSecond: number;

  constructor(
    private readonly credentialsFor: (connection: ConnectionSummary) => Promise<Credentials>,
    private readonly record: OperationRecorder,
    private readonly onRetry: (uploadId: string | null) => void,
    private readonly options: GatewayPoolOptions,
    private readonly factory: GatewayFactory = s3GatewayFactory,
  ) {
    const limits = options.limits();
    this.bandwidth = new BandwidthLimiter(limits.bandwidthLimit);
    this.requestsPerSecond = limits.requestsPerSecond;
  }

  /** The connection's gateway, made on first use (its secret read from the keychain once). */
  forConnection(connection: ConnectionSummary): Promise<ObjectStore> {
    this.applyLimits();
    let gateway = this.gateways.get(connection.id);
    if (!gateway) {
      gateway = this.credentialsFor(connection).then((credentials) => this.make(connection, credentials));
      // A keychain that failed is asked again next time, not remembered as failed.
      gateway.catch(() => this.gateways.delete(connection.id));
      this.gateways.set(connection.id, gateway);
    }
    return gateway;
  }

  /** The gateway already made for a connection, if any (probes need no new one). */
  existing(connectionId: string): Promise<ObjectStore> | undefined {
    return this.gateways.get(connectionId);
  }

  /**
   * A gateway for a connection that is not saved yet (its live test while being added): paced and
   * retried like the rest, destroyed by the caller.
   */
  unsaved(connection: ConnectionSummary, credentials: Credentials): ObjectStore {
    this.applyLimits();
    return this.build(connection, credentials, new RequestPacer(this.requestsPerSecond));
  }

  private applyLimits(): void {
    const limits = this.options.limits();
    this.setBandwidthLimit(limits.bandwidthLimit);
    this.setRequestsPerSecond(limits.requestsPerSecond);
  }

  setBandwidthLimit(bytesPerSecond: number): void {
    if (bytesPerSecond !== this.bandwidth.limit) this.bandwidth.setLimit(bytesPerSecond);
  }

  setRequestsPerSecond(rate: number): void {
    if (rate === this.requestsPerSecond) return;
    this.requestsPerSecond = rate;
    for (const pacer of this.pacers.values()) pacer.setRate(rate);
  }

  destroy(): void {
    for (const gateway of this.gateways.values()) void gateway.then((g) => g.destroy(), () => {});
    this.gateways.clear();
  }

  private make(connection: ConnectionSummary, credentials: Credentials): ObjectStore {
    let pacer = this.pacers.get(connection.id);
    if (!pacer) {
      pacer = new RequestPacer(this.requestsPerSecond);
      this.pacers.set(connection.id, pacer);
    }
    return this.build(connection, credentials, pacer);
  }

  private build(connection: ConnectionSummary, credentials: Credentials, pacer: RequestPacer): ObjectStore {
    return this.factory(connection, credentials, this.record, {
      maxSockets: this.options.maxSockets,
      pacer,
      bandwidth: this.bandwidth,
      requestIdleTimeoutMs: this.options.requestIdleTimeoutMs,
      maxAttempts: this.options.maxAttempts,
      onRetry: this.onRetry,
    });
  }
}
