import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { EVENT_CHANNEL, INVOKE_CHANNEL, commandNames, eventNames, type CommandName, type EventName } from '../shared/channels';
import type { AppApi } from '../shared/contract';

/**
 * The preload is an allow-list and nothing more: contract commands go to the one invoke channel,
 * contract events come back. No Node, no logic, no secrets.
 */
const api: AppApi = {
  invoke: (name, input) => {
    if (!commandNames.includes(name as CommandName)) {
      return Promise.resolve({ ok: false, error: { code: 'usage', message: `Unknown command "${String(name)}".`, retryable: false } });
    }
    return ipcRenderer.invoke(INVOKE_CHANNEL, name, input);
  },
  on: (name, listener) => {
    if (!eventNames.includes(name as EventName)) return () => {};
    const handler = (_event: unknown, eventName: unknown, payload: unknown) => {
      if (eventName === name) listener(payload as never);
    };
    ipcRenderer.on(EVENT_CHANNEL, handler);
    return () => {
      ipcRenderer.off(EVENT_CHANNEL, handler);
    };
  },
};

contextBridge.exposeInMainWorld('quire', api);
// A dropped File has no path in a sandboxed page; Electron's webUtils gives the real one, so the
// desktop window queues files where they are instead of copying them through a staging folder.
contextBridge.exposeInMainWorld('quireHost', { kind: 'desktop', pathForFile: (file: File) => webUtils.getPathForFile(file) });
