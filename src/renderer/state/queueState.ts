import { create } from 'zustand';
import type { QueueState } from '../../shared/upload';
import { call, messageOf } from '../api/appApi';

/** What the queue is doing (the `queue.state` event and command): the status line reads this. */
export interface QueueStateStore {
  queue: QueueState | null;
  error: string | null;
  reload(): Promise<void>;
}

export const useQueueState = create<QueueStateStore>((set) => ({
  queue: null,
  error: null,
  async reload() {
    try {
      set({ queue: await call('queue.state', {}), error: null });
    } catch (error) {
      set({ error: messageOf(error) });
    }
  },
}));

export function receiveQueueState(queue: QueueState): void {
  useQueueState.setState({ queue, error: null });
}
