import type { AppApi, CommandName, EventName, Outcome } from '../../shared/contract';
import type { ErrorData } from '../../shared/errors';
import type { ClientMessage, ServerMessage } from '../../shared/wire';

/**
 * The browser's transport to `quire serve`: the contract over one WebSocket on the page's own
 * origin (the HttpOnly cookie the token was exchanged for rides along with the upgrade). Calls are
 * answered by id; events are pushed. When the host goes away the socket is opened again with
 * backoff; calls in flight are answered with an error (the host may or may not have done them,
 * so nothing is re-sent behind the author's back), and `onReconnect` listeners reload what the
 * page shows, since events were missed meanwhile.
 */

export interface SocketStatus {
  /** `refused`: the host answers but does not know this page (it was started again, with a new token). */
  status: 'connecting' | 'open' | 'reconnecting' | 'refused';
  nextAttemptAt: number | null;
  failures: number;
}

export interface WebSocketApi extends AppApi {
  /** Called after the socket opened again (not on the first open): what the page shows is stale. */
  onReconnect(listener: () => void): () => void;
  close(): void;
}

interface Pending {
  resolve: (outcome: Outcome<unknown>) => void;
  timer: ReturnType<typeof setTimeout> | null;
}

/** A call waits this long for a socket that is not open yet before it is answered with an error. */
const WAIT_FOR_OPEN_MS = 15_000;
const BACKOFF_MS = [250, 500, 1000, 2000, 4000, 8000];

function lost(message: string): Outcome<never> {
  const error: ErrorData = { code: 'endpoint_unreachable', message, retryable: true };
  return { ok: false, error };
}

export function createWebSocketApi(options: { url: string; onStatus?: (status: SocketStatus) => void }): WebSocketApi {
  const listeners = new Map<EventName, Set<(payload: never) => void>>();
  const reconnectListeners = new Set<() => void>();
  const pending = new Map<number, Pending>();
  /** Calls made while the socket was not open: sent once it opens. */
  const waiting: { message: ClientMessage; entry: Pending }[] = [];
  let nextId = 1;
  let socket: WebSocket | null = null;
  let opened = false;
  let failures = 0;
  let closedByPage = false;
  /** The last look found the host up but refusing this page: said until the socket opens again. */
  let refused = false;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;

  const report = (status: SocketStatus['status'], nextAttemptAt: number | null = null) =>
    options.onStatus?.({ status: refused && status === 'reconnecting' ? 'refused' : status, nextAttemptAt, failures });

  function connect(): void {
    report(opened ? 'reconnecting' : 'connecting');
    const ws = new WebSocket(options.url);
    socket = ws;
    ws.addEventListener('open', () => {
      const again = opened;
      opened = true;
      failures = 0;
      refused = false;
      report('open');
      for (const { message, entry } of waiting.splice(0)) send(message, entry);
      if (again) for (const listener of reconnectListeners) listener();
    });
    ws.addEventListener('message', (event) => receive(event.data));
    ws.addEventListener('close', () => {
      if (socket !== ws) return;
      socket = null;
      // Whatever was asked of the host may or may not have happened: say so, do not re-send.
      for (const [id, entry] of pending) {
        pending.delete(id);
        if (entry.timer) clearTimeout(entry.timer);
        entry.resolve(lost('The connection to Quire was lost before it answered (was `quire serve` stopped?). Check the queue and try again once it is back.'));
      }
      if (closedByPage) return;
      const delay = BACKOFF_MS[Math.min(failures, BACKOFF_MS.length - 1)]!;
      failures += 1;
      report('reconnecting', Date.now() + delay);
      retryTimer = setTimeout(connect, delay);
      // A refused upgrade and a host that is down look alike to a WebSocket; a plain request tells
      // them apart. Retrying goes on either way: once the author opens the new address in any tab
      // of this browser, the new cookie lets this page in too.
      if (opened && failures > 1) {
        void hostRefusesUs().then((answer) => {
          refused = answer;
          if (socket === null && !closedByPage) report('reconnecting', Date.now() + delay);
        });
      }
    });
  }

  function receive(data: unknown): void {
    if (typeof data !== 'string') return;
    let message: ServerMessage;
    try {
      message = JSON.parse(data) as ServerMessage;
    } catch {
      return;
    }
    if ('id' in message) {
      const entry = pending.get(message.id);
      if (!entry) return;
      pending.delete(message.id);
      if (entry.timer) clearTimeout(entry.timer);
      entry.resolve(message.outcome);
    } else if ('event' in message) {
      const set = listeners.get(message.event);
      if (set) for (const listener of set) listener(message.payload as never);
    } else if ('refused' in message) {
      console.warn(`Quire refused a message: ${message.refused}`);
    }
  }

  function send(message: ClientMessage, entry: Pending): void {
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = null;
    pending.set(message.id, entry);
    socket!.send(JSON.stringify(message));
  }

  connect();

  return {
    invoke(name, input) {
      return new Promise((resolve) => {
        const message: ClientMessage = { id: nextId++, command: name as CommandName, input };
        const entry: Pending = { resolve: resolve as (outcome: Outcome<unknown>) => void, timer: null };
        if (socket && socket.readyState === WebSocket.OPEN) {
          send(message, entry);
          return;
        }
        waiting.push({ message, entry });
        entry.timer = setTimeout(() => {
          const index = waiting.findIndex((w) => w.entry === entry);
          if (index >= 0) waiting.splice(index, 1);
          resolve(lost('Quire is not reachable: is `quire serve` still running? If you started it again, open the address it printed.') as never);
        }, WAIT_FOR_OPEN_MS);
      });
    },
    on(name, listener) {
      let set = listeners.get(name);
      if (!set) listeners.set(name, (set = new Set()));
      set.add(listener as (payload: never) => void);
      return () => void set.delete(listener as (payload: never) => void);
    },
    onReconnect(listener) {
      reconnectListeners.add(listener);
      return () => void reconnectListeners.delete(listener);
    },
    close() {
      closedByPage = true;
      if (retryTimer) clearTimeout(retryTimer);
      socket?.close();
    },
  };
}

/** Whether the web host is up but does not let this page in (401/403: it was started again). */
async function hostRefusesUs(): Promise<boolean> {
  try {
    const response = await fetch('/', { cache: 'no-store', redirect: 'manual' });
    return response.status === 401 || response.status === 403;
  } catch {
    return false;
  }
}

/** `/ws` on the page's own origin: the web host accepts the upgrade only from its own Origin. */
export function webSocketUrl(location: Location): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
}

