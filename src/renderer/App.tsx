import type { Key } from 'react-aria-components';
import { Tab, TabList, TabPanel, Tabs } from 'react-aria-components';
import { Announcer } from './components/Announcer';
import { navigate, useView, viewTitles, views, type View } from './shell/navigation';
import { StatusLine } from './shell/StatusLine';
import { useUploads } from './state/uploads';
import { ConnectionsView } from './views/connections/ConnectionsView';
import { HistoryView } from './views/history/HistoryView';
import { QueueView } from './views/queue/QueueView';
import { SettingsView } from './views/settings/SettingsView';
import { UploadView } from './views/upload/UploadView';
import styles from './App.module.css';

const viewComponents: Record<View, () => React.JSX.Element> = {
  upload: UploadView,
  queue: QueueView,
  history: HistoryView,
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
 * The shell: a header with the five views as tabs (arrow keys move between them, Enter is not
 * needed), the chosen view, and the status line at the foot of every view.
 */
export function App() {
  const view = useView((s) => s.view);
  return (
    <div className={styles.app}>
      <Tabs className={styles.tabs} selectedKey={view} onSelectionChange={(key: Key) => navigate(key as View)}>
        <header className={styles.header}>
          <h1 className={styles.brand}>Quire</h1>
          <TabList aria-label="Views" className={styles.tabList}>
            {views.map((name) => (
              <Tab key={name} id={name} className={styles.tab} data-testid={`nav-${name}`}>
                {viewTitles[name]}
                {name === 'queue' && <QueueBadge />}
              </Tab>
            ))}
          </TabList>
        </header>
        {views.map((name) => {
          const ViewComponent = viewComponents[name];
          return (
            <TabPanel key={name} id={name} className={styles.panel}>
              <ViewComponent />
            </TabPanel>
          );
        })}
      </Tabs>
      <StatusLine />
      <Announcer />
    </div>
  );
}
