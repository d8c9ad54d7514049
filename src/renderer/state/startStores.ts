import { api, onReconnect } from '../api/appApi';
import { showFromHost } from '../shell/navigation';
import { addHostPaths } from '../views/upload/uploadDraft';
import { useConnections, receiveConnectionRefused } from './connections';
import { receiveQueueState, useQueueState } from './queueState';
import { loadUploads, pollUnfinished, receiveUploadChanged } from './uploads';
import { startWatchFolders } from './watchFolders';

/** While another process drives the queue, this one hears no upload events: it looks this often. */
export const ELSEWHERE_POLL_MS = 2_000;

let started = false;

/**
 * Wires the transport to the stores once, before the first render: events write into the stores,
 * and everything is loaded again after a reconnect, since events were missed while the socket was down.
 */
export function startStores(): void {
  if (started) return;
  started = true;
  api.on('upload.changed', receiveUploadChanged);
  api.on('queue.state', receiveQueueState);
  api.on('connection.refused', receiveConnectionRefused);
  // The desktop host brings the window to what a notification or the tray was about, or to the
  // files Quire was opened with (previewed in Upload like a drop, queued only when the author says).
  api.on('app.show', (where) => {
    if (where.paths) addHostPaths(where.paths);
    showFromHost(where);
  });
  const loadAll = () => {
    void loadUploads();
    void useQueueState.getState().reload();
    void useConnections.getState().reload();
  };
  onReconnect(loadAll);
  loadAll();
  startWatchFolders();

  let poll: ReturnType<typeof setInterval> | null = null;
  useQueueState.subscribe(({ queue }) => {
    const elsewhere = queue?.state === 'elsewhere';
    if (elsewhere && !poll) poll = setInterval(() => void pollUnfinished(), ELSEWHERE_POLL_MS);
    if (!elsewhere && poll) {
      clearInterval(poll);
      poll = null;
    }
  });
}
