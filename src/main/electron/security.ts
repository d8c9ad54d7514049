import { session, shell, type BrowserWindow } from 'electron';
import { CONTENT_SECURITY_POLICY } from '../contentSecurityPolicy';

/** The policy as a header on every response, as well as the page's <meta> tag. */
export function applyContentSecurityPolicy(): void {
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
  });
}

/** Links to the outside world open in the author's browser, and only https links. */
export function lockNavigation(window: BrowserWindow, ownUrl: string): void {
  window.webContents.on('will-navigate', (event, url) => {
    if (url !== ownUrl) event.preventDefault();
  });
  window.webContents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
}
