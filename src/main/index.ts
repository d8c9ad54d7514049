import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, dialog, shell, type BrowserWindow } from 'electron';
import type { AppShowEvent } from '../shared/desktop';
import { createApiHandlers, type ApiHandlers } from './core/api';
import { Engine } from './core/engine';
import { QuireError } from './core/errors';
import { forwardEvents } from './core/events/engineEvents';
import { builtImageWorker } from './core/images/workerEntry';
import { isQuireBuiltUrl } from './desktop/externalLinks';
import { launchFromInstance, parseLaunch, type Launch } from './desktop/launchArgs';
import { DesktopSession } from './electron/desktopSession';
import { registerIpc, sendEvent } from './electron/ipc';
import { createMainWindow, ownPageUrl } from './electron/mainWindow';
import { lockSession } from './electron/security';
import { applyOpenAtLogin } from './electron/systemBindings';
import { utilityProcessSpawner } from './electron/utilityWorkers';

/**
 * The desktop host: thin on purpose. The engine does the work and src/main/desktop decides (what
 * the tray shows, when to notify, what sleep and the network do, what closing does); this file
 * only binds those to Electron and keeps the app's life in order. One instance only: a second
 * launch hands its files to the first and focuses it, because two processes must not drive the
 * same upload queue.
 */
const mainDir = dirname(fileURLToPath(import.meta.url));
const outDir = join(mainDir, '..');
/** Quitting waits this long for the engine to stop at part boundaries, then ends regardless (the ledger is safe at any exit). */
const CLOSE_DEADLINE_MS = 10_000;

const launch = parseLaunch(process.argv, { packaged: app.isPackaged, cwd: process.cwd() });

// Windows shows a notification only for an app whose id matches its Start menu shortcut's: the
// installer's appId (electron-builder.config.cjs; test/packaging.test.ts holds the two together).
if (process.platform === 'win32') app.setAppUserModelId('app.quire.desktop');

// The launch, already parsed against its own working folder, goes to the first instance as data:
// a second instance's argv may come reordered or with Chromium's switches added.
if (!app.requestSingleInstanceLock(launch)) {
  app.quit();
} else {
  let engine: Engine | null = null;
  let window: BrowserWindow | null = null;
  let session: DesktopSession | null = null;
  let quitting = false;
  let pageReady = false;
  /** What the window is to show once its page can hear it (a request before that would be lost). */
  let pendingShow: AppShowEvent | null = null;
  /** Files the OS handed over (macOS "open-file" comes before the window exists). */
  const handedOver: string[] = [...launch.paths];

  const showWindow = (where?: AppShowEvent) => {
    if (!window || window.isDestroyed()) return;
    if (window.isMinimized()) window.restore();
    window.show();
    window.focus();
    if (!where) return;
    if (pageReady) sendEvent(window, 'app.show', where);
    else pendingShow = where;
  };

  /** Files opened with Quire are previewed in Upload, like a drop: nothing is queued until the author says. */
  const showHandedOver = () => {
    if (!window || handedOver.length === 0) return;
    showWindow({ view: 'upload', paths: handedOver.splice(0) });
  };

  app.on('second-instance', (_event, _argv, _cwd, data) => {
    const second: Launch = launchFromInstance(data);
    handedOver.push(...second.paths);
    // A login start while Quire already runs changes nothing on screen.
    if (second.hidden && second.paths.length === 0) return;
    showWindow();
    showHandedOver();
  });
  app.on('open-file', (event, path) => {
    event.preventDefault();
    handedOver.push(path);
    showHandedOver();
  });

  app
    .whenReady()
    .then(() => {
      const ownUrl = ownPageUrl(outDir);
      lockSession(() => window, ownUrl);
      const opened = openEngine();
      if (!opened) return;
      engine = opened;
      const handlers = withDesktopEffects(createApiHandlers(opened));
      // "Open at login" as saved (also from a browser on quire serve, or the CLI) is what the
      // system does. Only for the installed app: a run from source would register bare Electron.
      if (app.isPackaged) void applyOpenAtLogin(opened.getSettings().openAtLogin).catch((error: unknown) => console.error(`Quire could not set its login item: ${String(error)}`));

      // Started at login: into the tray only (Windows and Linux pass --hidden; macOS says so itself).
      const hidden = launch.hidden || (process.platform === 'darwin' && app.getLoginItemSettings().wasOpenedAtLogin);
      const openExternal = (url: string) => {
        if (isQuireBuiltUrl(url, opened.connections.list())) void shell.openExternal(url);
        else console.error(`Quire did not open ${url}: not an address of your own objects.`);
      };
      const target = createMainWindow(outDir, { show: !hidden, openExternal });
      window = target;
      target.webContents.on('did-start-loading', () => (pageReady = false));
      target.webContents.on('did-finish-load', () => {
        pageReady = true;
        if (pendingShow) sendEvent(target, 'app.show', pendingShow);
        pendingShow = null;
      });
      registerIpc(handlers, target, ownUrl);
      forwardEvents(opened.events, (name, payload) => sendEvent(target, name, payload));

      session = new DesktopSession(opened, { window: () => window, show: showWindow, quit: () => app.quit(), trayIcon: join(outDir, 'renderer', process.platform === 'darwin' ? 'trayTemplate.png' : 'tray.png') });
      session.start();
      showHandedOver();

      target.on('close', (event) => {
        if (session?.windowClosing(quitting)) event.preventDefault();
      });
      // Windows logging off or shutting down emits no before-quit: the window hears it.
      target.on('session-end', () => app.quit());
    })
    // Anything that breaks the start (not only the engine): said, and the lock freed.
    .catch((error: unknown) => fail(`Quire could not start: ${error instanceof Error ? error.message : String(error)}`));

  // The tray keeps Quire alive without a window; quitting is the tray's or the OS's.
  app.on('window-all-closed', () => {});
  // macOS: a click on the dock icon brings the hidden window back.
  app.on('activate', () => showWindow());

  app.on('before-quit', (event) => {
    quitting = true;
    if (!engine) return;
    // Stop at part boundaries and release the lock before quitting: nothing recorded is lost.
    // The desktop session lets go of the engine first: its last events must reach nothing gone.
    event.preventDefault();
    const closing = engine;
    engine = null;
    session?.stop();
    const deadline = new Promise((resolve) => setTimeout(resolve, CLOSE_DEADLINE_MS).unref());
    void Promise.race([closing.close(), deadline])
      .catch((error: unknown) => console.error(`Quire did not close cleanly: ${String(error)}`))
      .finally(() => {
        session?.destroyTray();
        app.quit();
      });
  });
}

/** The engine for this window, or null once the author has been told why it could not open. */
function openEngine(): Engine | null {
  try {
    return Engine.open({
      resourcesDir: app.isPackaged ? join(process.resourcesPath, 'resources') : undefined,
      // The image workers run as Electron utility processes: child_process.fork needs the
      // RunAsNode fuse, which the packaged app turns off. sharp's native libvips crashes inside
      // Electron on Linux (its GLib clashes with Electron's: electron#46323, sharp#4522/#4525), in
      // its utility processes too: there the workers load sharp's WebAssembly build. macOS and
      // Windows use the native one.
      images: { worker: builtImageWorker(mainDir), build: process.platform === 'linux' ? 'wasm' : 'native', spawn: utilityProcessSpawner },
    });
  } catch (error) {
    fail(error instanceof QuireError ? error.message : `Quire could not open its records: ${error instanceof Error ? error.message : String(error)}`);
    return null;
  }
}

/** Nothing can run: say why in a dialog (there is no window or tray yet) and end, freeing the single-instance lock. */
function fail(message: string): void {
  dialog.showErrorBox('Quire could not start', message);
  app.exit(1);
}

/** The commands the desktop acts on beside the engine: a saved "open at login" is applied to the OS. */
function withDesktopEffects(handlers: ApiHandlers): ApiHandlers {
  return {
    ...handlers,
    'settings.update': async (update, context) => {
      const report = await handlers['settings.update'](update, context);
      if (update.openAtLogin === undefined || !app.isPackaged) return report;
      try {
        await applyOpenAtLogin(report.openAtLogin);
        return report;
      } catch (error) {
        // The system refused: the saved choice goes back to what the system does, and the author hears why.
        await handlers['settings.update']({ openAtLogin: !report.openAtLogin }, context);
        throw new QuireError('internal', `The system did not take Quire's login item: ${error instanceof Error ? error.message : String(error)}`);
      }
    },
  };
}
