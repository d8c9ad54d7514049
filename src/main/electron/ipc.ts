import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent } from 'electron';
import { EVENT_CHANNEL, INVOKE_CHANNEL } from '../../shared/channels';
import type { EventName, Events } from '../../shared/contract';
import { dispatch, type ApiHandlers } from '../core/api';


/**
 * One IPC channel carries every contract command. Calls are accepted only from our window's
 * main frame; the command name and input are validated by `dispatch` against the contract, and
 * errors come back as data because Electron keeps only the message of a thrown error.
 */
export function registerIpc(handlers: ApiHandlers, window: BrowserWindow): void {
  ipcMain.handle(INVOKE_CHANNEL, async (event: IpcMainInvokeEvent, name: unknown, input: unknown) => {
    if (!isOurFrame(event, window)) return { ok: false, error: { code: 'usage', message: 'Refused: not from the Quire window.', retryable: false } };
    if (typeof name !== 'string') return { ok: false, error: { code: 'usage', message: 'A command name is required.', retryable: false } };
    return dispatch(handlers, name, input);
  });
}

export function sendEvent<E extends EventName>(window: BrowserWindow, name: E, payload: Events[E]): void {
  if (!window.isDestroyed()) window.webContents.send(EVENT_CHANNEL, name, payload);
}

function isOurFrame(event: IpcMainInvokeEvent, window: BrowserWindow): boolean {
  return !window.isDestroyed() && event.sender === window.webContents && event.senderFrame !== null && event.senderFrame === window.webContents.mainFrame;
}
