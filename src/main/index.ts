import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow } from 'electron';
import { createApiHandlers } from './core/api';
import { Engine } from './core/engine';
import { QuireError } from './core/errors';
import { builtImageWorker } from './core/images/workerEntry';
import { forwardEvents } from './core/events/engineEvents';
import { registerIpc, sendEvent } from './electron/ipc';
import { createMainWindow } from './electron/mainWindow';
import { applyContentSecurityPolicy } from './electron/security';

/**
 * The desktop host: thin on purpose. The engine does the work; this file wires it to a window.
 * One instance only: a second launch focuses the first, because two processes must not drive
 * the same upload queue.
 */
const outDir = join(dirname(fileURLToPath(import.meta.url)), '..');
/** How often a window whose queue another process drives tries to take it over. */
const DRIVER_RETRY_MS = 5000;

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  let engine: Engine | null = null;
  let window: BrowserWindow | null = null;

  app.on('second-instance', () => {
    if (window?.isMinimized()) window.restore();
    window?.focus();
  });

  app.whenReady().then(() => {
    applyContentSecurityPolicy();
    engine = Engine.open({
      resourcesDir: app.isPackaged ? join(process.resourcesPath, 'resources') : undefined,
      // sharp's native libvips crashes inside Electron on Linux (its GLib clashes with Electron's:
      // electron#46323, sharp#4522/#4525), in forked Electron-as-Node children too: there the
      // image workers load sharp's WebAssembly build. macOS and Windows use the native one.
      images: { worker: builtImageWorker(dirname(fileURLToPath(import.meta.url))), build: process.platform === 'linux' ? 'wasm' : 'native' },
    });
    window = createMainWindow(outDir);
    const target = window;
    registerIpc(createApiHandlers(engine), target);
    forwardEvents(engine.events, (name, payload) => sendEvent(target, name, payload));
    // The app drives the queue while it is open: whatever an earlier run, the CLI or a crash left
    // unfinished goes on, and whatever is added (here or from a shell) goes up. If `quire run
    // --follow` already drives it, that process uploads and the window steers it through the
    // ledger; the app takes over within a few seconds of that process ending.
    const driving = engine;
    const drive = () => {
      // A look at the lock that never waits: the main thread must not stall while another drives.
      if (driving.started || driving.queueState().state === 'elsewhere') return;
      try {
        driving.start();
      } catch (error) {
        if (!(error instanceof QuireError && error.code === 'ledger_locked')) console.error(`Quire could not start its upload queue: ${error instanceof Error ? error.message : String(error)}`);
      }
    };
    drive();
    const takeOver = setInterval(drive, DRIVER_RETRY_MS);
    app.once('before-quit', () => clearInterval(takeOver));
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  app.on('before-quit', (event) => {
    if (!engine) return;
    // Stop at part boundaries and release the lock before quitting: nothing recorded is lost.
    event.preventDefault();
    const closing = engine;
    engine = null;
    void closing.close().finally(() => app.quit());
  });
}
