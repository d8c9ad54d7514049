import type { AppApi, CommandName, CommandRawInput, CommandResult } from '../../shared/contract';
import type { ErrorCode, ErrorData } from '../../shared/errors';
import { useTransport } from '../state/transport';
import { createWebSocketApi, webSocketUrl } from './webSocketApi';

/**
 * The one way the UI reaches the engine, whichever host it runs in: the desktop window's preload
 * (`window.quire`), or a WebSocket to `quire serve` in a browser. Views call `call()` and never
 * look at which.
 */

export const hostKind: 'desktop' | 'web' = window.quire ? 'desktop' : 'web';

const reconnectListeners = new Set<() => void>();

function createApi(): AppApi {
  if (window.quire) {
    useTransport.setState({ status: 'open', nextAttemptAt: null, failures: 0 });
    return window.quire;
  }
  const socketApi = createWebSocketApi({ url: webSocketUrl(window.location), onStatus: (status) => useTransport.setState(status) });
  socketApi.onReconnect(() => {
    for (const listener of reconnectListeners) listener();
  });
  return socketApi;
}

export const api: AppApi = createApi();

/** A command the engine refused or could not do, with the contract's stable code. */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  constructor(error: ErrorData) {
    super(error.message);
    this.name = 'ApiError';
    this.code = error.code;
    this.retryable = error.retryable;
  }
}

/** Runs a command; resolves its value or throws an ApiError whose message is written for the author. */
export async function call<K extends CommandName>(name: K, input: CommandRawInput<K>): Promise<CommandResult<K>> {
  const outcome = await api.invoke(name, input);
  if (!outcome.ok) throw new ApiError(outcome.error);
  return outcome.value;
}

/** The message to show for anything a call threw. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/** Stores reload what they show when the transport came back after a drop (events were missed). */
export function onReconnect(listener: () => void): () => void {
  reconnectListeners.add(listener);
  return () => void reconnectListeners.delete(listener);
}

/** A dropped file's real path on the engine's machine: only the desktop window knows it. */
export function pathForFile(file: File): string | null {
  if (hostKind !== 'desktop' || !window.quireHost) return null;
  try {
    return window.quireHost.pathForFile(file) || null;
  } catch {
    return null;
  }
}
