import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, shell, type BrowserWindow } from 'electron';
import type { AppShowEvent } from '../shared/desktop';
import type { UploadChangedEvent } from '../shared/upload';
import { createApiHandlers, type ApiHandlers } from './core/api';
import { Engine } from './core/engine';
import { forwardEvents } from './core/events/engineEvents';
import { builtImageWorker } from './core/images/workerEntry';
import { BatchTracker } from './desktop/batchTracker';
import { decideClose } from './desktop/closePolicy';
import { isQuireBuiltUrl } from './desktop/externalLinks';
import { parseLaunch } from './desktop/launchArgs';
import { NotificationPlanner } from './desktop/notificationPlanner';
import { QueueDriver } from './desktop/queueDriver';
import { trayStatus } from './desktop/trayStatus';
import { registerIpc, sendEvent } from './electron/ipc';
import { createMainWindow } from './electron/mainWindow';
import { lockSession } from './electron/security';
import { applyOpenAtLogin, electronPower, showNotification, watchSystem } from './electron/systemBindings';
import { QuireTray } from './electron/tray';
import { utilityProcessSpawner } from './electron/utilityWorkers';

/**
 * The desktop host: thin on purpose. The engine does the work and src/main/desktop decides (what
 * the tray shows, when to notify, what sleep and the network do, what closing does); this file
 * only binds those to Electron. One instance only: a second launch hands its files to the first
 * and focuses it, because two processes must not drive the same upload queue.
 */
const mainDir = dirname(fileURLToPath(import.meta.url));
const outDir = join(mainDir, '..');
/** How often a window whose queue another process drives tries to take it over. */
const DRIVER_RETRY_MS = 5000;
/** The failed count (a ledger query) is read again at most this often while uploads change. */
const FAILED_COUNT_EVERY_MS = 1000;
/** The tray and the taskbar's bar are redrawn at most this often while bytes go out. */
const TRAY_REDRAW_MS = 500;

const launch = parseLaunch(process.argv, { packaged: app.isPackaged, cwd: process.cwd() });

// Windows shows a notification only for an app whose id matches its Start menu shortcut's: the
// installer's appId (electron-builder.config.cjs; test/packaging.test.ts holds the two together).
if (process.platform === 'win32') app.setAppUserModelId('app.quire.desktop');

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  let engine: Engine | null = null;
  let window: BrowserWindow | null = null;
  let quitting = false;
  /** Paths the OS handed over before the engine was open (macOS "open-file" comes early). */
  const handedOver: string[] = [...launch.paths];

  const showWindow = (where?: AppShowEvent) => {
    if (!window || window.isDestroyed()) return;
    if (window.isMinimized()) window.restore();
    window.show();
    window.focus();
    if (where) sendEvent(window, 'app.show', where);
  };

  /** Files opened with Quire are queued to the default connection, and the queue is shown. */
  const queueHandedOver = async () => {
    if (!engine || handedOver.length === 0) return;
    const paths = handedOver.splice(0);
    try {
      await engine.enqueue({ paths });
    } catch (error) {
      console.error(`Quire could not queue ${paths.join(', ')}: ${error instanceof Error ? error.message : String(error)}`);
    }
    showWindow({ view: 'queue' });
  };

  app.on('second-instance', (_event, argv, workingDirectory) => {
    handedOver.push(...parseLaunch(argv, { packaged: app.isPackaged, cwd: workingDirectory }).paths);
    showWindow();
    void queueHandedOver();
  });
  app.on('open-file', (event, path) => {
    event.preventDefault();
    handedOver.push(path);
    void queueHandedOver();
  });

  app.whenReady().then(() => {
    lockSession();
    const opened = Engine.open({
      resourcesDir: app.isPackaged ? join(process.resourcesPath, 'resources') : undefined,
      // The image workers run as Electron utility processes: child_process.fork needs the
      // RunAsNode fuse, which the packaged app turns off. sharp's native libvips crashes inside
      // Electron on Linux (its GLib clashes with Electron's: electron#46323, sharp#4522/#4525), in
      // its utility processes too: there the workers load sharp's WebAssembly build. macOS and
      // Windows use the native one.
      images: { worker: builtImageWorker(mainDir), build: process.platform === 'linux' ? 'wasm' : 'native', spawn: utilityProcessSpawner },
    });
    engine = opened;
    const handlers = withDesktopEffects(createApiHandlers(opened));
    // "Open at login" as saved (also from a browser on quire serve, or the CLI) is what the system
    // does. Only for the installed app: a run from source would register the bare Electron binary.
    if (app.isPackaged) void applyOpenAtLogin(opened.getSettings().openAtLogin).catch((error: unknown) => console.error(`Quire could not set its login item: ${String(error)}`));
    const openExternal = (url: string) => {
      if (isQuireBuiltUrl(url, opened.connections.list())) void shell.openExternal(url);
    };
    // Started at login: into the tray only (Windows and Linux pass --hidden; macOS says so itself).
    const hidden = launch.hidden || (process.platform === 'darwin' && app.getLoginItemSettings().wasOpenedAtLogin);
    const target = createMainWindow(outDir, { show: !hidden, openExternal });
    window = target;
    registerIpc(handlers, target);
    forwardEvents(opened.events, (name, payload) => sendEvent(target, name, payload));

    // The queue: driven while the app is open, through sleep, wake and network changes.
    const driver = new QueueDriver(opened, electronPower);
    driver.drive();
    const takeOver = setInterval(() => driver.drive(), DRIVER_RETRY_MS);
    const stopWatchingSystem = watchSystem(driver);

    // The tray, the taskbar's progress and the notifications, from the engine's events.
    const batch = new BatchTracker();
    const planner = new NotificationPlanner(
      (notification) => showNotification(notification, () => showWindow(notification.opens)),
      () => opened.getSettings().notifications,
    );
    const tray = new QuireTray(join(outDir, 'renderer', 'tray.png'), () => window, {
      open: () => showWindow(),
      pauseAll: () => opened.pause('all'),
      resumeAll: () => opened.resume('all'),
      quit: () => app.quit(),
    });
    let failed = countFailed(opened);
    let failedCountedAt = 0;
    let redrawTimer: NodeJS.Timeout | null = null;
    const redraw = () => {
      if (redrawTimer) clearTimeout(redrawTimer);
      redrawTimer = null;
      tray.show(trayStatus(opened.queueState(), batch.progress(), failed));
    };
    opened.events.on('upload.changed', (event: UploadChangedEvent) => {
      batch.uploadChanged(event);
      planner.uploadChanged(event);
      if (performance.now() - failedCountedAt > FAILED_COUNT_EVERY_MS) {
        failedCountedAt = performance.now();
        failed = countFailed(opened);
      }
      // The progress bar moves with the bytes, a few times a second at most.
      redrawTimer ??= setTimeout(redraw, TRAY_REDRAW_MS);
    });
    opened.events.on('queue.state', (state) => {
      driver.queueChanged(state);
      failed = countFailed(opened);
      const finished = batch.queueChanged(state);
      if (finished) planner.batchFinished(finished);
      redraw();
    });
    opened.events.on('connection.refused', (event) => planner.connectionRefused(event));
    opened.events.on('usage.changed', (report) => planner.usageChanged(report));
    redraw();
    void queueHandedOver();

    // Closing the window: Quire stays in the tray while there is work (said once), else it quits.
    target.on('close', (event) => {
      const settings = opened.getSettings();
      const state = opened.queueState();
      const decision = decideClose({
        quitting,
        closeKeepsRunning: settings.closeKeepsRunning,
        working: state.active > 0 || state.pending > 0,
        watching: opened.watch.list().some((folder) => folder.state === 'syncing' || folder.state === 'idle'),
        hintShown: settings.trayHintShown,
      });
      if (decision.action === 'quit') {
        if (!quitting) setImmediate(() => app.quit());
        return;
      }
      event.preventDefault();
      target.hide();
      if (decision.sayHint) {
        opened.noteTrayHintShown();
        showNotification({ title: 'Quire is still uploading', body: 'It goes on in the tray. Quit from the tray’s menu; Settings can make closing quit instead.', opens: { view: 'queue' } }, () => showWindow());
      }
    });

    app.once('before-quit', () => {
      quitting = true;
      clearInterval(takeOver);
      stopWatchingSystem();
      planner.dispose();
      driver.dispose();
      if (redrawTimer) clearTimeout(redrawTimer);
      tray.destroy();
    });
  });

  // The tray keeps Quire alive without a window; quitting is the tray's or the OS's.
  app.on('window-all-closed', () => {});
  // macOS: a click on the dock icon brings the hidden window back.
  app.on('activate', () => showWindow());

  app.on('before-quit', (event) => {
    quitting = true;
    if (!engine) return;
    // Stop at part boundaries and release the lock before quitting: nothing recorded is lost.
    event.preventDefault();
    const closing = engine;
    engine = null;
    void closing.close().finally(() => app.quit());
  });
}

/** Failed uploads in the ledger (whichever process failed them): the tray's count. */
function countFailed(engine: Engine): number {
  return engine.listUploads({ status: ['failed'], limit: 1 }).total;
}

/** The commands the desktop acts on beside the engine: a saved "open at login" is applied to the OS. */
function withDesktopEffects(handlers: ApiHandlers): ApiHandlers {
  return {
    ...handlers,
    'settings.update': async (update, context) => {
      const report = await handlers['settings.update'](update, context);
      if (update.openAtLogin !== undefined && app.isPackaged) await applyOpenAtLogin(report.openAtLogin);
      return report;
    },
  };
}
