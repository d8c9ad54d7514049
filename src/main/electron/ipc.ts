import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent } from 'electron';
import { EVENT_CHANNEL, INVOKE_CHANNEL } from '../../shared/channels';
import type { EventName, Events } from '../../shared/contract';
import type { ApiHandlers } from '../core/api';
import { invokeHandler } from '../desktop/ipcInvoke';
import { sameDocument } from '../desktop/permissions';

/** One IPC channel carries every contract command (see desktop/ipcInvoke.ts for what it accepts). */
export function registerIpc(handlers: ApiHandlers, window: BrowserWindow, ownUrl: string): void {
  const invoke = invokeHandler(handlers);
  ipcMain.handle(INVOKE_CHANNEL, (event: IpcMainInvokeEvent, name: unknown, input: unknown) => invoke({ fromOurMainFrame: isOurMainFrame(event, window, ownUrl) }, name, input));
}

export function sendEvent<E extends EventName>(window: BrowserWindow, name: E, payload: Events[E]): void {
  if (!window.isDestroyed()) window.webContents.send(EVENT_CHANNEL, name, payload);
}

/** Our window, its main frame, and our own page in it (not a page it was somehow sent to). */
function isOurMainFrame(event: IpcMainInvokeEvent, window: BrowserWindow, ownUrl: string): boolean {
  const frame = event.senderFrame;
  return !window.isDestroyed() && event.sender === window.webContents && frame !== null && frame === window.webContents.mainFrame && sameDocument(frame.url, ownUrl);
}
