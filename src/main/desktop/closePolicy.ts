export interface CloseContext {
  /** The author chose Quit (the tray's menu, Cmd-Q, the OS logging out): the window closes. */
  quitting: boolean;
  /** The setting: closing the window keeps Quire running in the tray. */
  closeKeepsRunning: boolean;
  /** Uploads are being worked on or wait to be (offline, retrying). */
  working: boolean;
  /** Watch folders are being synced (they need Quire running). */
  watching: boolean;
  /** The tray has said once that Quire goes on there. */
  hintShown: boolean;
}

export interface CloseDecision {
  /** hide: the window goes, Quire stays in the tray; quit: the app ends (after stopping at part boundaries). */
  action: 'hide' | 'quit';
  /** Say, once, that Quire goes on in the tray and how to quit. */
  sayHint: boolean;
}

/**
 * What closing the window does. While uploads run or folders are watched, Quire keeps going in the
 * tray (unless the author chose to quit on close): closing a window must not cut an audiobook's
 * upload. With nothing to do it quits, as the author expects of a closed app.
 */
export function decideClose(context: CloseContext): CloseDecision {
  if (context.quitting || !context.closeKeepsRunning) return { action: 'quit', sayHint: false };
  if (!context.working && !context.watching) return { action: 'quit', sayHint: false };
  return { action: 'hide', sayHint: !context.hintShown };
}
