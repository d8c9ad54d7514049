import { useEffect, useState } from 'react';
import type { WatchFolderSummary } from '../../../shared/watch';
import { hostKind } from '../../api/appApi';
import { announce } from '../../components/Announcer';
import { Button } from '../../components/Button';
import { EmptyState } from '../../components/EmptyState';
import { ErrorMessage } from '../../components/ErrorMessage';
import { navigate } from '../../shell/navigation';
import { connectionById, useConnections } from '../../state/connections';
import { receiveWatchChanged, useWatchFolders } from '../../state/watchFolders';
import { ConfirmDeletesDialog } from './ConfirmDeletesDialog';
import { RemoveWatchFolderDialog } from './RemoveWatchFolderDialog';
import { OpenAtLoginSuggestion } from './OpenAtLoginSuggestion';
import { WatchFolderForm } from './WatchFolderForm';
import { WatchFolderList } from './WatchFolderList';
import { plural } from './watchWords';
import styles from './WatchView.module.css';

/**
 * Watch folders: a folder on the Quire machine whose new and changed files go to a bucket by
 * themselves. The list says what each one is doing (and why not, when it cannot); a form adds one;
 * each can be paused, looked at now, or no longer watched, which deletes nothing anywhere.
 */
export function WatchView() {
  const folders = useWatchFolders((s) => s.list);
  const loaded = useWatchFolders((s) => s.loaded);
  const loadError = useWatchFolders((s) => s.error);
  const forget = useWatchFolders((s) => s.forget);
  const connections = useConnections((s) => s.list);
  const connectionsLoaded = useConnections((s) => s.loaded);
  const [adding, setAdding] = useState(false);
  const [removing, setRemoving] = useState<WatchFolderSummary | null>(null);
  // By id: the dialog shows the folder as its events keep it, not as it was when opened.
  const [confirmingId, setConfirmingId] = useState<string | null>(null);
  const confirming = folders.find((folder) => folder.id === confirmingId) ?? null;
  const [note, setNote] = useState<string | null>(null);
  const [suggestLogin, setSuggestLogin] = useState(false);

  useEffect(() => {
    void useWatchFolders.getState().reload();
  }, []);

  const onAdded = (folder: WatchFolderSummary) => {
    setAdding(false);
    receiveWatchChanged(folder);
    const message = `Watching ${folder.path}: its files go to ${folder.connection}${folder.to ? ` under ${folder.to}` : ''}.`;
    setNote(message);
    announce(message);
    setSuggestLogin(true);
  };

  const onRemoved = (folder: WatchFolderSummary) => {
    setRemoving(null);
    forget(folder.id);
    const message = `No longer watching ${folder.path}. Nothing was deleted.`;
    setNote(message);
    announce(message);
  };

  const bucketOf = (folder: WatchFolderSummary) => connectionById(connections, folder.connectionId)?.bucket;

  const onDeletesConfirmed = (folder: WatchFolderSummary, held: number) => {
    setConfirmingId(null);
    // The answer is the folder as it is now: its card shows it, and what was kept and why.
    receiveWatchChanged(folder);
    const bucket = bucketOf(folder);
    const message = folder.message
      ? `Deletions confirmed for ${folder.path}, but not all were made: its card says which and why.`
      : `Deleted ${plural(held, 'object', 'objects')} of ${folder.path} from the bucket${bucket ? ` ${bucket}` : ''}.`;
    setNote(message);
    announce(message);
  };

  const startAdding = () => {
    setAdding(true);
    setNote(null);
  };

  const noConnection = connectionsLoaded && connections.length === 0;
  const empty = loaded && folders.length === 0;
  const where = hostKind === 'web' ? 'on the computer running Quire' : 'on this computer';

  return (
    <section className={styles.view} aria-labelledby="watch-heading">
      <div className={styles.header}>
        <h2 id="watch-heading" className={styles.heading}>
          Watch folders
        </h2>
        {!adding && !empty && !noConnection && (
          <Button variant="primary" onPress={startAdding}>
            Watch a folder
          </Button>
        )}
      </div>

      <ErrorMessage>{loadError}</ErrorMessage>
      {note && (
        <p className={styles.saved} role="status">
          ✓ {note}
        </p>
      )}

      {suggestLogin && <OpenAtLoginSuggestion onDone={() => setSuggestLogin(false)} />}

      {adding && <WatchFolderForm connections={connections} onAdded={onAdded} onCancel={() => setAdding(false)} />}

      {empty && !adding && (
        <EmptyState
          title="No watch folder yet"
          action={
            noConnection ? (
              <Button variant="primary" onPress={() => navigate('connections')}>
                Add a connection first
              </Button>
            ) : (
              <Button variant="primary" onPress={startAdding}>
                Watch your first folder
              </Button>
            )
          }
        >
          A watch folder is a folder {where} that Quire keeps in your bucket: export a chapter or a cover into it and Quire uploads it once the file is complete, and again
          when it changes. Nothing is sent twice, temporary files are left alone, and a file deleted from the folder stays in the bucket unless you choose otherwise.
          {noConnection ? ' First add a connection: the bucket the files go to.' : ' Choose the folder, where its files go, and which files to leave out.'}
        </EmptyState>
      )}

      {folders.length > 0 && <WatchFolderList folders={folders} onRemove={setRemoving} onConfirmDeletes={(folder) => setConfirmingId(folder.id)} bucketOf={bucketOf} />}

      <RemoveWatchFolderDialog folder={removing} bucketOf={bucketOf} onClose={() => setRemoving(null)} onRemoved={onRemoved} />
      <ConfirmDeletesDialog folder={confirming} bucketOf={bucketOf} onClose={() => setConfirmingId(null)} onConfirmed={onDeletesConfirmed} />
    </section>
  );
}
