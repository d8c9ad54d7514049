import { create } from 'zustand';

/**
 * Whether the page can reach its engine. The desktop window's preload is always there; a browser's
 * WebSocket drops when `quire serve` stops and comes back when it starts again on the same port.
 */
export interface TransportState {
  /** `refused`: the host is up but does not know this page (started again, with a new token). */
  status: 'connecting' | 'open' | 'reconnecting' | 'refused';
  /** When the next attempt to reconnect is made (ms since the epoch), while reconnecting. */
  nextAttemptAt: number | null;
  /** How many times in a row the host could not be reached. */
  failures: number;
}

export const useTransport = create<TransportState>(() => ({ status: 'connecting', nextAttemptAt: null, failures: 0 }));
