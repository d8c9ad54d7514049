import { useEffect, useState } from 'react';
import type { ConnectionSummary } from '../../../shared/connection';
import { announce } from '../../components/Announcer';
import { Button } from '../../components/Button';
import { EmptyState } from '../../components/EmptyState';
import { ErrorMessage } from '../../components/ErrorMessage';
import { useConnections } from '../../state/connections';
import { ConnectionForm } from './ConnectionForm';
import { ConnectionList } from './ConnectionList';
import { RemoveConnectionDialog } from './RemoveConnectionDialog';
import styles from './ConnectionsView.module.css';
import { loadUploads } from '../../state/uploads';

/**
 * Connections: where uploads go. The list with what each one does, a form to add one (tested
 * live before it is saved), and removing one, which the engine refuses while it has work left.
 */
export function ConnectionsView() {
  const connections = useConnections((s) => s.list);
  const loaded = useConnections((s) => s.loaded);
  const loadError = useConnections((s) => s.error);
  const reload = useConnections((s) => s.reload);
  const [adding, setAdding] = useState(false);
  const [removing, setRemoving] = useState<ConnectionSummary | null>(null);
  const [saved, setSaved] = useState<string | null>(null);

  useEffect(() => {
    void reload();
  }, [reload]);

  const onSaved = async (connection: ConnectionSummary) => {
    setAdding(false);
    const message = `Connection “${connection.name}” works and is saved: Quire wrote to ${connection.bucket} and removed its test object.`;
    setSaved(message);
    announce(message);
    await reload();
  };

  const onRemoved = async (name: string) => {
    setRemoving(null);
    setSaved(null);
    announce(`Connection “${name}” removed.`);
    // Its uploads left the ledger with it: the queue and history are read again.
    await Promise.all([reload(), loadUploads()]);
  };

  const empty = loaded && connections.length === 0;

  return (
    <div className={styles.view}>
      <div className={styles.header}>
        <h2 className={styles.heading}>Connections</h2>
        {!adding && !empty && (
          <Button
            variant="primary"
            onPress={() => {
              setAdding(true);
              setSaved(null);
            }}
          >
            Add a connection
          </Button>
        )}
      </div>

      <ErrorMessage>{loadError}</ErrorMessage>
      {saved && (
        <p className={styles.saved} role="status">
          ✓ {saved}
        </p>
      )}

      {adding && <ConnectionForm isFirst={connections.length === 0} onSaved={onSaved} onCancel={() => setAdding(false)} />}

      {empty && !adding && (
        <EmptyState
          title="No connection yet"
          action={
            <Button variant="primary" onPress={() => setAdding(true)}>
              Add your first connection
            </Button>
          }
        >
          A connection is a bucket Quire uploads to — a DigitalOcean Space, an Amazon S3 bucket or any S3-compatible storage — with the keys that may write to it. The keys are
          tested before anything is saved, and the secret is kept in this computer’s keychain.
        </EmptyState>
      )}

      {connections.length > 0 && <ConnectionList connections={connections} onChanged={reload} onRemove={setRemoving} />}

      <RemoveConnectionDialog connection={removing} onClose={() => setRemoving(null)} onRemoved={onRemoved} />
    </div>
  );
}
