import { create } from 'zustand';
import { appViews, type AppView } from '../../shared/desktop';

/** The views, in the order the nav shows them (named in the contract: the desktop host asks for them). */
export const views = appViews;
export type View = AppView;

export const viewTitles: Record<View, string> = {
  upload: 'Upload',
  queue: 'Queue',
  watch: 'Watch',
  history: 'History',
  storage: 'Storage',
  analytics: 'Analytics',
  connections: 'Connections',
  settings: 'Settings',
};

function fromHash(hash: string): View | null {
  const name = hash.replace(/^#\/?/, '');
  return (views as readonly string[]).includes(name) ? (name as View) : null;
}

/**
 * Which view is shown, mirrored in the address (#/queue) so a reload, the back button and a test
 * can land on a view. Views call navigate() for "go to Connections" buttons in their empty states.
 */
export const useView = create<{ view: View }>(() => ({ view: fromHash(window.location.hash) ?? 'upload' }));

export function navigate(view: View): void {
  if (useView.getState().view === view) return;
  useView.setState({ view });
  if (fromHash(window.location.hash) !== view) window.history.pushState(null, '', `#/${view}`);
}

window.addEventListener('hashchange', () => {
  const view = fromHash(window.location.hash);
  if (view) useView.setState({ view });
});
window.addEventListener('popstate', () => {
  const view = fromHash(window.location.hash);
  if (view) useView.setState({ view });
});

/**
 * An upload the desktop host asked to show (a notification about it was clicked): the Queue view
 * opens its details and clears the request.
 */
export const useFocusedUpload = create<{ uploadId: string | null }>(() => ({ uploadId: null }));

/** The desktop host's `app.show`: to a view, and in the queue to one upload's details. */
export function showFromHost(where: { view: View; uploadId?: string }): void {
  navigate(where.view);
  if (where.uploadId) useFocusedUpload.setState({ uploadId: where.uploadId });
}
