import { useState } from 'react';
import { Dialog, Heading, Modal, ModalOverlay } from 'react-aria-components';
import type { ConnectionSummary } from '../../../shared/connection';
import type { UploadSummary } from '../../../shared/upload';
import { unfinishedStatuses } from '../../../shared/uploadStatus';
import { call, messageOf } from '../../api/appApi';
import { Button } from '../../components/Button';
import { navigate } from '../../shell/navigation';
import styles from './ConnectionsView.module.css';

/** The unfinished uploads that hold a connection, named so the author knows what to finish or cancel. */
interface Holding {
  uploads: UploadSummary[];
  total: number;
}

const SHOWN = 5;

/**
 * "Remove this connection?" The engine refuses while uploads of it are unfinished; its message says
 * so, and the dialog names those uploads (the first few, and how many) with the way to the Queue.
 */
export function RemoveConnectionDialog(props: { connection: ConnectionSummary | null; onClose: () => void; onRemoved: (name: string) => void }) {
  const [removing, setRemoving] = useState(false);
  const [refusal, setRefusal] = useState<{ message: string; holding: Holding | null } | null>(null);
  const connection = props.connection;
  const holdsUploads = (refusal?.holding?.total ?? 0) > 0;

  const close = () => {
    setRefusal(null);
    props.onClose();
  };

  const remove = async () => {
    if (!connection) return;
    setRemoving(true);
    try {
      await call('connections.remove', { name: connection.name });
      setRefusal(null);
      props.onRemoved(connection.name);
    } catch (error) {
      setRefusal({ message: messageOf(error), holding: await holdingUploads(connection.name) });
    } finally {
      setRemoving(false);
    }
  };

  return (
    <ModalOverlay className={styles.overlay} isOpen={connection !== null} onOpenChange={(open) => !open && close()} isDismissable={!removing}>
      <Modal className={styles.modal}>
        <Dialog role="alertdialog" className={styles.dialog}>
          {connection && (
            <>
              <Heading slot="title" className={styles.dialogTitle}>
                Remove “{connection.name}”?
              </Heading>
              <p>
                Quire forgets this connection, deletes its secret from the keychain and removes its uploads from History. Files already in the bucket{' '}
                <strong>{connection.bucket}</strong> stay there.
              </p>
              {refusal && (
                <div className={styles.refusal} role="alert">
                  <p>{refusal.message}</p>
                  {refusal.holding && refusal.holding.total > 0 && (
                    <>
                      <p>
                        {refusal.holding.total === 1 ? 'This upload is' : `These ${refusal.holding.total} uploads are`} not finished:
                      </p>
                      <ul className={styles.holding}>
                        {refusal.holding.uploads.map((upload) => (
                          <li key={upload.id}>
                            <span className={styles.key}>{upload.objectKey}</span> — {upload.status}
                          </li>
                        ))}
                        {refusal.holding.total > refusal.holding.uploads.length && <li>and {refusal.holding.total - refusal.holding.uploads.length} more</li>}
                      </ul>
                    </>
                  )}
                </div>
              )}
              <div className={styles.dialogActions}>
                {holdsUploads ? (
                  <Button
                    variant="primary"
                    onPress={() => {
                      close();
                      navigate('queue');
                    }}
                  >
                    Open the Queue
                  </Button>
                ) : (
                  <Button variant="danger" onPress={remove} isDisabled={removing}>
                    {removing ? 'Removing…' : refusal ? 'Try again' : 'Remove connection'}
                  </Button>
                )}
                <Button onPress={close} isDisabled={removing} autoFocus={!refusal}>
                  {refusal ? 'Close' : 'Keep it'}
                </Button>
              </div>
            </>
          )}
        </Dialog>
      </Modal>
    </ModalOverlay>
  );
}

async function holdingUploads(name: string): Promise<Holding | null> {
  try {
    const page = await call('uploads.list', { connection: name, status: [...unfinishedStatuses], limit: SHOWN });
    return { uploads: page.uploads, total: page.total };
  } catch {
    return null; // the engine's message stands on its own
  }
}
