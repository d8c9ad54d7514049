import { join } from 'node:path';
import { BrowserWindow } from 'electron';
import { lockNavigation } from './security';

/** The one window: sandboxed, isolated, no Node in the page; everything goes through the preload. */
export function createMainWindow(outDir: string): BrowserWindow {
  const window = new BrowserWindow({
    width: 1100,
    height: 760,
    minWidth: 720,
    minHeight: 480,
    title: 'Quire',
    show: false,
    webPreferences: {
      preload: join(outDir, 'preload', 'index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  window.once('ready-to-show', () => window.show());
  const devUrl = process.env.ELECTRON_RENDERER_URL;
  const ownUrl = devUrl ?? `file://${join(outDir, 'renderer', 'index.html')}`;
  lockNavigation(window, ownUrl);
  if (devUrl) void window.loadURL(devUrl);
  else void window.loadFile(join(outDir, 'renderer', 'index.html'));
  return window;
}
