import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { app, BrowserWindow } from 'electron';
import { secureWebPreferences, windowFrame } from '../desktop/windowOptions';
import { lockNavigation } from './security';

/**
 * The page the window shows: the built renderer, or in development (never in the installed app,
 * where an environment variable must not point the window and its preload elsewhere) the dev server.
 */
export function ownPageUrl(outDir: string): string {
  const devUrl = app.isPackaged ? undefined : process.env.ELECTRON_RENDERER_URL;
  return devUrl ?? pathToFileURL(join(outDir, 'renderer', 'index.html')).href;
}

/** The one window: sandboxed, isolated, no Node in the page; everything goes through the preload. */
export function createMainWindow(outDir: string, options: { show: boolean; openExternal: (url: string) => void }): BrowserWindow {
  const window = new BrowserWindow({ ...windowFrame, show: false, webPreferences: secureWebPreferences(join(outDir, 'preload', 'index.cjs')) });
  if (options.show) window.once('ready-to-show', () => window.show());
  const ownUrl = ownPageUrl(outDir);
  lockNavigation(window, ownUrl, options.openExternal);
  void window.loadURL(ownUrl);
  return window;
}
