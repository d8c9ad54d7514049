import type { ErrorData } from '../../shared/errors';
import { dispatch, type ApiHandlers } from '../core/api';

/** What the Electron binding knows of a call's sender. */
export interface InvokeSender {
  /** The call came from the Quire window's main frame (not a subframe, not another window). */
  fromOurMainFrame: boolean;
}

const refused = (message: string): { ok: false; error: ErrorData } => ({ ok: false, error: { code: 'usage', message, retryable: false } });

/**
 * The one IPC channel's handler: every contract command goes through `dispatch`, which knows each
 * name and parses each input by its schema. Calls from anywhere but our window's main frame are
 * refused; errors come back as data, because Electron keeps only the message of a thrown error.
 */
export function invokeHandler(handlers: ApiHandlers) {
  return async (sender: InvokeSender, name: unknown, input: unknown): Promise<unknown> => {
    if (!sender.fromOurMainFrame) return refused('Refused: not from the Quire window.');
    if (typeof name !== 'string') return refused('A command name is required.');
    return dispatch(handlers, name, input);
  };
}
