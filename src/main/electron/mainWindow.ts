import { join } from 'node:path';
import { BrowserWindow } from 'electron';
import { secureWebPreferences, windowFrame } from '../desktop/windowOptions';
import { lockNavigation } from './security';

/** The one window: sandboxed, isolated, no Node in the page; everything goes through the preload. */
export function createMainWindow(outDir: string, options: { show: boolean; openExternal: (url: string) => void }): BrowserWindow {
  const window = new BrowserWindow({ ...windowFrame, show: false, webPreferences: secureWebPreferences(join(outDir, 'preload', 'index.cjs')) });
  if (options.show) window.once('ready-to-show', () => window.show());
  const devUrl = process.env.ELECTRON_RENDERER_URL;
  const ownUrl = devUrl ?? `file://${join(outDir, 'renderer', 'index.html')}`;
  lockNavigation(window, ownUrl, options.openExternal);
  if (devUrl) void window.loadURL(devUrl);
  else void window.loadFile(join(outDir, 'renderer', 'index.html'));
  return window;
}
