import { app, session, type BrowserWindow } from 'electron';
import { CONTENT_SECURITY_POLICY } from '../contentSecurityPolicy';

/**
 * The session's locks: the policy as a header on every response (as well as the page's <meta>
 * tag), every permission request (camera, notifications from the page, geolocation...) denied —
 * the page needs none; the main process notifies — and no <webview> anywhere.
 */
export function lockSession(): void {
  const own = session.defaultSession;
  own.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
  });
  own.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  own.setPermissionCheckHandler(() => false);
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });
}

/**
 * The window stays on Quire's page: navigation elsewhere is refused, new windows are never
 * opened; a link the page opens goes to `openExternal`, which opens only addresses Quire built
 * (desktop/externalLinks.ts) in the author's browser.
 */
export function lockNavigation(window: BrowserWindow, ownUrl: string, openExternal: (url: string) => void): void {
  window.webContents.on('will-navigate', (event, url) => {
    if (url !== ownUrl) event.preventDefault();
  });
  window.webContents.on('will-redirect', (event, url) => {
    if (url !== ownUrl) event.preventDefault();
  });
  window.webContents.setWindowOpenHandler(({ url }) => {
    openExternal(url);
    return { action: 'deny' };
  });
}
