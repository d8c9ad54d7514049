import { z } from 'zod';
import type { Outcome } from './contract';
import type { EventName, Events } from './contract';

/**
 * The web host's WebSocket protocol: the contract's commands and events as JSON text frames.
 * The browser sends calls; the host answers each by its id and pushes events as they happen.
 * The command's input is checked against the contract by `dispatch`; this checks the envelope.
 */
export const MAX_MESSAGE_BYTES = 256 * 1024;

export const clientMessageSchema = z.object({
  /** Chosen by the page; its answer carries it back. */
  id: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  command: z.string().min(1).max(64),
  input: z.unknown(),
});
export type ClientMessage = z.infer<typeof clientMessageSchema>;

export type ServerMessage =
  | { id: number; outcome: Outcome<unknown> }
  | { [E in EventName]: { event: E; payload: Events[E] } }[EventName]
  /** The envelope itself was refused (not JSON, too large, no id): the socket closes after it. */
  | { refused: string };

/**
 * Bytes of a browser drop go by HTTP PUT to this path (they are a file, not a command):
 * `/staging/<batch uuid>/<path inside the drop, each segment URI-encoded>`, with the file's size
 * in this header. Only files land there; nothing is queued until `uploads.enqueue` names the batch.
 */
export const STAGING_PATH_PREFIX = '/staging/';
export const STAGING_SIZE_HEADER = 'x-quire-size';
