import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { Outcome } from '../../shared/contract';
import { clientMessageSchema, MAX_MESSAGE_BYTES, type ServerMessage } from '../../shared/wire';
import { dispatch, type ApiHandlers } from '../core/api';
import { forwardEvents, type EngineEvents } from '../core/events/engineEvents';

/** Close codes of RFC 6455 the bridge uses. */
const POLICY_VIOLATION = 1008;
const GOING_AWAY = 1001;
const TRY_AGAIN_LATER = 1013;
/**
 * A page that stops reading (a frozen tab) would make every event pile up in memory here; past
 * this it is disconnected, and a page that reconnects reads the state afresh.
 */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

/**
 * The contract over one WebSocket per page: calls in, answers and events out, as JSON text frames
 * (src/shared/wire.ts). Every frame is parsed by the wire schema, every input by the contract's
 * (inside `dispatch`), so nothing unchecked reaches the engine. The caller authenticates the
 * upgrade before handing it over: by the time a socket exists here, it is a page of ours.
 */
export class SocketBridge {
  private readonly server = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_MESSAGE_BYTES,
    // No compression: a small frame must not inflate to megabytes past maxPayload's view.
    perMessageDeflate: false,
  });
  /** Each open socket's calls in flight, stopped (CallContext.signal) when it closes. */
  private readonly calls = new Map<WebSocket, AbortController>();
  private readonly stopForwarding: () => void;

  constructor(
    private readonly handlers: ApiHandlers,
    events: EngineEvents,
  ) {
    this.stopForwarding = forwardEvents(events, (event, payload) => this.broadcast({ event, payload } as ServerMessage));
  }

  /** Completes an upgrade the caller has already authenticated. */
  accept(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.server.handleUpgrade(req, socket, head, (ws) => this.attach(ws));
  }

  get openSockets(): number {
    return this.calls.size;
  }

  /** Closes every socket (their calls are aborted) and stops forwarding events. */
  async close(): Promise<void> {
    this.stopForwarding();
    for (const ws of this.calls.keys()) ws.close(GOING_AWAY, 'Quire is stopping');
    // A socket that does not finish the closing handshake in a moment is cut.
    const cut = setTimeout(() => {
      for (const ws of this.calls.keys()) ws.terminate();
    }, 1000);
    // Called once every socket has closed.
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    clearTimeout(cut);
  }

  private attach(ws: WebSocket): void {
    const calls = new AbortController();
    this.calls.set(ws, calls);
    ws.on('close', () => {
      this.calls.delete(ws);
      calls.abort(new DOMException('the page closed its connection', 'AbortError'));
    });
    // A protocol error (oversized frame: 1009, bad UTF-8: 1007) closes the socket; ws has sent the code.
    ws.on('error', () => {});
    ws.on('message', (data, isBinary) => this.receive(ws, data, isBinary, calls.signal));
  }

  private receive(ws: WebSocket, data: RawData, isBinary: boolean, signal: AbortSignal): void {
    if (isBinary) return this.refuse(ws, 'Only JSON text frames are accepted.');
    let json: unknown;
    try {
      json = JSON.parse(rawText(data));
    } catch {
      return this.refuse(ws, 'A message was not JSON.');
    }
    const message = clientMessageSchema.safeParse(json);
    if (!message.success) return this.refuse(ws, 'A message was not a call: it needs a numeric id, a command name and an input.');
    const { id, command, input } = message.data;
    void dispatch(this.handlers, command, input, { signal }).then((outcome) => {
      // A page that went away gets no answer (and its long commands were stopped by the signal).
      if (ws.readyState === ws.OPEN) this.send(ws, { id, outcome });
    });
  }

  /** The envelope itself was wrong: the page is told why, and the socket closes (1008). */
  private refuse(ws: WebSocket, reason: string): void {
    this.send(ws, { refused: reason });
    ws.close(POLICY_VIOLATION, 'malformed message');
  }

  private broadcast(message: ServerMessage): void {
    if (this.calls.size === 0) return;
    const text = JSON.stringify(message);
    for (const ws of this.calls.keys()) this.sendText(ws, text);
  }

  private send(ws: WebSocket, message: ServerMessage): void {
    let text: string;
    try {
      text = JSON.stringify(message);
    } catch (error) {
      // Only an answer can fail to serialise (a value the contract did not foresee); say so to its caller.
      if (!('id' in message)) return;
      const outcome: Outcome<unknown> = { ok: false, error: { code: 'internal', message: `The answer could not be sent: ${(error as Error).message}`, retryable: false } };
      text = JSON.stringify({ id: message.id, outcome });
    }
    this.sendText(ws, text);
  }

  private sendText(ws: WebSocket, text: string): void {
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      ws.close(TRY_AGAIN_LATER, 'the page is not reading its messages');
      return;
    }
    ws.send(text);
  }
}

function rawText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  return (Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data)).toString('utf8');
}
