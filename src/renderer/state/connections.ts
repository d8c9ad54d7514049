import { create } from 'zustand';
import type { ConnectionSummary } from '../../shared/connection';
import type { ConnectionRefusedEvent } from '../../shared/upload';
import { call, messageOf } from '../api/appApi';

/** The saved connections (never a secret), reloaded after anything that changes them. */
export interface ConnectionsStore {
  list: ConnectionSummary[];
  loaded: boolean;
  error: string | null;
  /** The last time the server refused a connection's bucket or keys (its queued files failed). */
  refused: ConnectionRefusedEvent | null;
  reload(): Promise<void>;
  dismissRefused(): void;
}

export const useConnections = create<ConnectionsStore>((set) => ({
  list: [],
  loaded: false,
  error: null,
  refused: null,
  async reload() {
    try {
      set({ list: await call('connections.list', {}), loaded: true, error: null });
    } catch (error) {
      set({ error: messageOf(error), loaded: true });
    }
  },
  dismissRefused() {
    set({ refused: null });
  },
}));

/** A connection's name and bucket by its id, for rows that carry only the id. */
export function connectionById(list: ConnectionSummary[], id: string): ConnectionSummary | undefined {
  return list.find((c) => c.id === id);
}

export function receiveConnectionRefused(event: ConnectionRefusedEvent): void {
  useConnections.setState({ refused: event });
}
