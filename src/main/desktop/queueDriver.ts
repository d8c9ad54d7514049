import { QuireError } from '../core/errors';

/** What the desktop host asks of the engine to drive its queue (Engine has all of it). */
export interface DrivenEngine {
  readonly started: boolean;
  start(): void;
  stop(): Promise<void>;
  networkBack(): void;
  queueState(): { state: string };
}

/** What the Electron binding does with the system for the driver. */
export interface PowerPort {
  /** Keeps the system from suspending the app (not the display from sleeping); returns its release. */
  preventSuspension(): () => void;
}

/**
 * Drives the window's queue through the system's life: it starts the queue when the app opens
 * (or takes it over within seconds of `quire run --follow` ending), keeps the system from
 * suspending the app while uploads run and lets it sleep when idle, stops at part boundaries on
 * suspend (every finished part recorded; nothing is sent into a sleeping network) and starts
 * again on resume, and turns the OS's "online again" into a probe now (a hint: the probe decides).
 */
export class QueueDriver {
  private suspended = false;
  private releaseBlocker: (() => void) | null = null;
  private stopping: Promise<void> | null = null;

  constructor(
    private readonly engine: DrivenEngine,
    private readonly power: PowerPort,
    private readonly warn: (message: string) => void = (message) => console.error(message),
  ) {}

  /** At launch and every few seconds: start the queue unless another process drives it, or the system sleeps. */
  drive(): void {
    if (this.suspended || this.stopping || this.engine.started) return;
    // A look at the lock that never waits: the main thread must not stall while another drives.
    if (this.engine.queueState().state === 'elsewhere') return;
    try {
      this.engine.start();
    } catch (error) {
      if (!(error instanceof QuireError && error.code === 'ledger_locked')) this.warn(`Quire could not start its upload queue: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** The queue's state changed: the system is kept awake while uploads run, and released when idle. */
  queueChanged(state: { state: string; active: number; pending: number }): void {
    const uploading = !this.suspended && state.state === 'running' && (state.active > 0 || state.pending > 0);
    if (uploading && !this.releaseBlocker) this.releaseBlocker = this.power.preventSuspension();
    else if (!uploading && this.releaseBlocker) this.release();
  }

  /** The system is about to sleep: stop at part boundaries now. */
  async suspend(): Promise<void> {
    this.suspended = true;
    this.release();
    if (!this.engine.started) return;
    // A stop that fails (the ledger unwritable) must not keep the queue from starting after wake.
    this.stopping = this.engine
      .stop()
      .catch((error: unknown) => this.warn(`Quire could not stop its uploads before sleep: ${error instanceof Error ? error.message : String(error)}`))
      .finally(() => (this.stopping = null));
    await this.stopping;
  }

  /** The system woke: start again; endpoints that were offline are probed at once. */
  async resume(): Promise<void> {
    this.suspended = false;
    await this.stopping;
    this.drive();
    this.engine.networkBack();
  }

  /** The OS's online/offline report (a hint): back online, the offline endpoints are probed now. */
  networkChanged(online: boolean): void {
    if (online) this.engine.networkBack();
  }

  /** The app quits: the blocker goes with it. */
  dispose(): void {
    this.release();
  }

  private release(): void {
    const release = this.releaseBlocker;
    this.releaseBlocker = null;
    release?.();
  }
}
