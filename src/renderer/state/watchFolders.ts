import { create } from 'zustand';
import type { WatchFolderSummary } from '../../shared/watch';
import { api, call, messageOf, onReconnect } from '../api/appApi';

/**
 * The watch folders (`watch.list`), kept current by `watch.changed`: the engine sends a folder's
 * whole summary whenever its state or counts change, so a row is replaced, never patched.
 */
export interface WatchFoldersStore {
  list: WatchFolderSummary[];
  loaded: boolean;
  error: string | null;
  reload(): Promise<void>;
  /** After `watch.remove`: the folder leaves the list at once, and a late event cannot bring it back. */
  forget(id: string): void;
}

/** Oldest first, as the author added them: a folder does not jump around while it syncs. */
function inOrder(list: WatchFolderSummary[]): WatchFolderSummary[] {
  return [...list].sort((a, b) => a.createdAt - b.createdAt || a.path.localeCompare(b.path));
}

// Removed here: a scan under way when the folder was removed may still report it once.
const removed = new Set<string>();
// Events that arrive while a list is on its way are newer than that list: applied again after it.
let heardDuringReload: Map<string, WatchFolderSummary> | null = null;

export const useWatchFolders = create<WatchFoldersStore>((set, get) => ({
  list: [],
  loaded: false,
  error: null,
  async reload() {
    const heard = new Map<string, WatchFolderSummary>();
    heardDuringReload = heard;
    try {
      const listed = await call('watch.list', {});
      const byId = new Map(listed.map((folder) => [folder.id, folder]));
      for (const [id, folder] of heard) byId.set(id, folder);
      set({ list: inOrder([...byId.values()]), loaded: true, error: null });
    } catch (error) {
      set({ error: messageOf(error), loaded: true });
    } finally {
      if (heardDuringReload === heard) heardDuringReload = null;
    }
  },
  forget(id) {
    removed.add(id);
    set({ list: get().list.filter((folder) => folder.id !== id) });
  },
}));

export function receiveWatchChanged(folder: WatchFolderSummary): void {
  if (removed.has(folder.id)) return;
  heardDuringReload?.set(folder.id, folder);
  const { list } = useWatchFolders.getState();
  const index = list.findIndex((known) => known.id === folder.id);
  // A folder added elsewhere (`quire watch add` in a shell) arrives by its first event.
  const next = index === -1 ? inOrder([...list, folder]) : list.map((known, i) => (i === index ? folder : known));
  useWatchFolders.setState({ list: next });
}

/** Listens for the folders' events and loads the list, again after a reconnect (events were missed). */
export function startWatchFolders(): void {
  api.on('watch.changed', receiveWatchChanged);
  const reload = () => void useWatchFolders.getState().reload();
  onReconnect(reload);
  reload();
}
