import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow } from 'electron';
import { createApiHandlers } from './core/api';
import { Engine } from './core/engine';
import { registerIpc, sendEvent } from './electron/ipc';
import { createMainWindow } from './electron/mainWindow';
import { applyContentSecurityPolicy } from './electron/security';

/**
 * The desktop host: thin on purpose. The engine does the work; this file wires it to a window.
 * One instance only: a second launch focuses the first, because two processes must not drive
 * the same upload queue.
 */
const outDir = join(dirname(fileURLToPath(import.meta.url)), '..');

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
    engine = Engine.open({ resourcesDir: app.isPackaged ? join(process.resourcesPath, 'resources') : undefined });
    window = createMainWindow(outDir);
    const target = window;
    registerIpc(createApiHandlers(engine), target);
    engine.queue.on('upload', (event) => sendEvent(target, 'upload.progress', event));
    // Pick up whatever an earlier run, the CLI or a crash left unfinished.
    void engine.run().catch(() => {});
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  app.on('before-quit', () => {
    engine?.close();
    engine = null;
  });
}
