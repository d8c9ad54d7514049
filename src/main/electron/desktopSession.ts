import type { BrowserWindow } from 'electron';
import type { AppShowEvent } from '../../shared/desktop';
import type { EventName, Events } from '../../shared/contract';
import type { Engine } from '../core/engine';
import { BatchTracker, type FinishedBatch } from '../desktop/batchTracker';
import { decideClose } from '../desktop/closePolicy';
import { NotificationPlanner } from '../desktop/notificationPlanner';
import { QueueDriver } from '../desktop/queueDriver';
import { trayStatus } from '../desktop/trayStatus';
import { electronPower, showNotification, watchSystem } from './systemBindings';
import { QuireTray } from './tray';

/** How often a window whose queue another process drives tries to take it over. */
const DRIVER_RETRY_MS = 5000;
/** The failed count (a ledger query) is read again at most this often while uploads change. */
const FAILED_COUNT_EVERY_MS = 1000;
/** The tray and the taskbar's bar are redrawn at most this often while bytes go out. */
const TRAY_REDRAW_MS = 500;

export interface SessionHost {
  window: () => BrowserWindow | null;
  /** Brings the window up, at a view when given. */
  show: (where?: AppShowEvent) => void;
  quit: () => void;
  trayIcon: string;
}

/**
 * The desktop app around the engine while it is open: the queue driven through sleep, wake and
 * the network, the tray and the taskbar's progress, the notifications, and what closing the
 * window does — each decided in src/main/desktop, bound to Electron here. `stop()` unhooks it
 * all from the engine before the engine closes (its last events must reach nothing that is gone).
 */
export class DesktopSession {
  private readonly driver: QueueDriver;
  private readonly batch = new BatchTracker();
  private readonly planner: NotificationPlanner;
  private readonly tray: QuireTray;
  private readonly unhooks: (() => void)[] = [];
  private failed = 0;
  private failedCountedAt = 0;
  private redrawTimer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly engine: Engine,
    private readonly host: SessionHost,
  ) {
    this.driver = new QueueDriver(engine, electronPower);
    this.planner = new NotificationPlanner(
      (notification) => showNotification(notification, () => host.show(notification.opens)),
      () => engine.getSettings().notifications,
    );
    this.tray = new QuireTray(host.trayIcon, host.window, {
      open: () => host.show(),
      pauseAll: () => engine.pause('all'),
      resumeAll: () => engine.resume('all'),
      quit: host.quit,
    });
  }

  start(): void {
    const { engine } = this;
    // A quota crossed is told when it changes from what it is now, not at the first report.
    for (const connection of engine.connections.list()) this.planner.usageChanged(engine.usage.report(connection));
    this.failed = this.countFailed();
    this.on('upload.changed', (event) => {
      this.told(this.batch.uploadChanged(event));
      this.planner.uploadChanged(event);
      if (performance.now() - this.failedCountedAt > FAILED_COUNT_EVERY_MS) this.failed = this.countFailed();
      // The progress bar moves with the bytes, a few times a second at most.
      this.redrawTimer ??= setTimeout(() => this.redraw(), TRAY_REDRAW_MS);
    });
    this.on('queue.state', (state) => {
      this.driver.queueChanged(state);
      this.failed = this.countFailed();
      this.told(this.batch.queueChanged(state));
      this.redraw();
    });
    this.on('connection.refused', (event) => this.planner.connectionRefused(event));
    this.on('usage.changed', (report) => this.planner.usageChanged(report));

    this.driver.drive();
    const takeOver = setInterval(() => this.driver.drive(), DRIVER_RETRY_MS);
    this.unhooks.push(() => clearInterval(takeOver));
    this.unhooks.push(watchSystem(this.driver, this.host.quit));
    this.redraw();
  }

  /**
   * The window is being closed: hidden while there is work (Quire goes on in the tray, said once),
   * else the app quits. Returns true when the close is to be prevented.
   */
  windowClosing(quitting: boolean): boolean {
    const settings = this.engine.getSettings();
    const state = this.engine.queueState();
    const decision = decideClose({
      quitting,
      closeKeepsRunning: settings.closeKeepsRunning,
      working: state.active > 0 || state.pending > 0,
      watching: this.engine.watch.list().some((folder) => folder.state === 'syncing' || folder.state === 'idle'),
      hintShown: settings.trayHintShown,
    });
    if (decision.action === 'quit') {
      if (!quitting) setImmediate(this.host.quit);
      return false;
    }
    this.host.window()?.hide();
    if (decision.sayHint) {
      const shown = showNotification({ title: 'Quire is still uploading', body: 'It goes on in the tray. Quit from the tray’s menu; Settings can make closing quit instead.', opens: { view: 'queue' } }, () => this.host.show());
      // Said once: only once it was really said.
      if (shown) this.engine.noteTrayHintShown();
    }
    return true;
  }

  /** Unhooks everything from the engine and stops every timer; the tray stays until `destroyTray`. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const unhook of this.unhooks.splice(0)) unhook();
    if (this.redrawTimer) clearTimeout(this.redrawTimer);
    this.redrawTimer = null;
    this.planner.dispose();
    this.driver.dispose();
  }

  destroyTray(): void {
    this.tray.destroy();
  }

  private on<E extends EventName>(name: E, listener: (payload: Events[E]) => void): void {
    this.engine.events.on(name, listener as never);
    this.unhooks.push(() => void this.engine.events.off(name, listener as never));
  }

  private told(finished: FinishedBatch | null): void {
    if (finished) this.planner.batchFinished(finished);
  }

  private redraw(): void {
    if (this.redrawTimer) clearTimeout(this.redrawTimer);
    this.redrawTimer = null;
    if (this.stopped) return;
    this.tray.show(trayStatus(this.engine.queueState(), this.batch.progress(), this.failed));
  }

  /** Failed uploads in the ledger (whichever process failed them): the tray's count. */
  private countFailed(): number {
    this.failedCountedAt = performance.now();
    return this.engine.listUploads({ status: ['failed'], limit: 1 }).total;
  }
}
