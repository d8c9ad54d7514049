/**
 * The window's web preferences, in one place so a test can read them: the page is sandboxed and
 * isolated, has no Node, no <webview>, no remote content, and talks to Quire only through the
 * preload's allow-list. (Typed loosely so this file needs no Electron: the Electron host passes
 * it to BrowserWindow, whose type checks it there.)
 */
export function secureWebPreferences(preloadPath: string) {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    experimentalFeatures: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: false,
  } as const;
}

/** The window's size and title: what a first launch opens. */
export const windowFrame = {
  width: 1100,
  height: 760,
  minWidth: 720,
  minHeight: 480,
  title: 'Quire',
} as const;
