import { lazy, Suspense, type ComponentType } from 'react';
import { Announcer } from './components/Announcer';
import { useView, type View } from './shell/navigation';
import { StatusLine } from './shell/StatusLine';
import { panelId, tabId, ViewTabs } from './shell/ViewTabs';
import { useUploads } from './state/uploads';
import { ConnectionsView } from './views/connections/ConnectionsView';
import { HistoryView } from './views/history/HistoryView';
import { QueueView } from './views/queue/QueueView';
import { SettingsView } from './views/settings/SettingsView';
import { StorageView } from './views/storage/StorageView';
import { UploadView } from './views/upload/UploadView';
import { WatchView } from './views/watch/WatchView';
import styles from './App.module.css';

// Analytics brings uPlot: loaded on first visit, so the other views start without it.
const AnalyticsView = lazy(async () => ({ default: (await import('./views/analytics/AnalyticsView')).AnalyticsView }));

const viewComponents: Record<View, ComponentType> = {
  upload: UploadView,
  queue: QueueView,
  watch: WatchView,
  history: HistoryView,
  storage: StorageView,
  analytics: AnalyticsView,
  connections: ConnectionsView,
  settings: SettingsView,
};

/** How many uploads the queue still owes: the Queue tab's badge. */
function QueueBadge() {
  const count = useUploads((s) => s.totals.count);
  if (count === 0) return null;
  return (
    <span className={styles.badge} aria-label={`${count} unfinished`}>
      {count > 9999 ? '9999+' : count}
    </span>
  );
}

/**
 * The shell: a header with the views as tabs, the chosen view, and the status line at the
 * foot of every view. Only the chosen view is mounted.
 */
export function App() {
  const view = useView((s) => s.view);
  const ViewComponent = viewComponents[view];
  return (
    <div className={styles.app}>
      <header className={styles.header}>
        <h1 className={styles.brand}>Quire</h1>
        <ViewTabs current={view} badges={{ queue: <QueueBadge /> }} />
      </header>
      <main className={styles.panel}>
        <div role="tabpanel" id={panelId(view)} aria-labelledby={tabId(view)} className={styles.panelContent}>
          <Suspense fallback={null}>
            <ViewComponent key={view} />
          </Suspense>
        </div>
      </main>
      <StatusLine />
      <Announcer />
    </div>
  );
}
