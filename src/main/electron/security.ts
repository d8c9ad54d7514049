import { app, session, type BrowserWindow, type WebContents } from 'electron';
import { CONTENT_SECURITY_POLICY } from '../contentSecurityPolicy';
import { permissionAllowed, sameDocument } from '../desktop/permissions';

/**
 * The session's locks: the policy as a header on every response Electron's session sees (the
 * page carries it in its <meta> tag too), every permission refused but the clipboard write
 * "Copy link" needs (desktop/permissions.ts decides), and no <webview> anywhere.
 */
export function lockSession(window: () => BrowserWindow | null, ownUrl: string): void {
  const own = session.defaultSession;
  own.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
  });
  const fromOurWindow = (contents: WebContents | null) => {
    const ours = window();
    return contents !== null && ours !== null && !ours.isDestroyed() && contents === ours.webContents;
  };
  own.setPermissionRequestHandler((contents, permission, callback, details) => callback(permissionAllowed(permission, { fromOurWindow: fromOurWindow(contents), url: details.requestingUrl, ownUrl })));
  own.setPermissionCheckHandler((contents, permission, requestingOrigin, details) => permissionAllowed(permission, { fromOurWindow: fromOurWindow(contents), url: details.requestingUrl ?? requestingOrigin, ownUrl }));
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
    if (!sameDocument(url, ownUrl)) event.preventDefault();
  });
  window.webContents.on('will-redirect', (event, url) => {
    if (!sameDocument(url, ownUrl)) event.preventDefault();
  });
  window.webContents.setWindowOpenHandler(({ url }) => {
    openExternal(url);
    return { action: 'deny' };
  });
}
