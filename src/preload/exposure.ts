import { EVENT_CHANNEL, INVOKE_CHANNEL, commandNames, eventNames, type CommandName, type EventName } from '../shared/channels';
import type { AppApi } from '../shared/contract';

/** The few calls of Electron's ipcRenderer the preload makes. */
export interface PreloadIpc {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  off(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

/**
 * What the preload puts in the page, and nothing more: `quire`, the contract's commands (an
 * allow-list, each to the one invoke channel) and events; `quireHost`, which says the page is in
 * the desktop window and gives a dropped File's real path (Electron's webUtils.getPathForFile; a
 * sandboxed page has none), so files are queued where they are instead of copied. No Node, no
 * logic, no secrets. Kept apart from Electron so a test can read exactly what is exposed.
 */
export function preloadExposure(ipc: PreloadIpc, getPathForFile: (file: File) => string) {
  const quire: AppApi = {
    invoke: (name, input) => {
      if (!commandNames.includes(name as CommandName)) {
        return Promise.resolve({ ok: false, error: { code: 'usage', message: `Unknown command "${String(name)}".`, retryable: false } });
      }
      return ipc.invoke(INVOKE_CHANNEL, name, input) as ReturnType<AppApi['invoke']>;
    },
    on: (name, listener) => {
      if (!eventNames.includes(name as EventName)) return () => {};
      const handler = (_event: unknown, eventName: unknown, payload: unknown) => {
        if (eventName === name) listener(payload as never);
      };
      ipc.on(EVENT_CHANNEL, handler);
      return () => {
        ipc.off(EVENT_CHANNEL, handler);
      };
    },
  };
  return { quire, quireHost: { kind: 'desktop' as const, pathForFile: (file: File) => getPathForFile(file) } };
}
