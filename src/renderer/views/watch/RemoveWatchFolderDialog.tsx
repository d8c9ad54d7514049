import { useState } from 'react';
import { Dialog, Heading, Modal, ModalOverlay } from 'react-aria-components';
import type { WatchFolderSummary } from '../../../shared/watch';
import { call, messageOf } from '../../api/appApi';
import { Button } from '../../components/Button';
import styles from './WatchView.module.css';

/**
 * "Stop watching this folder?" Said plainly because authors fear it most: nothing is deleted,
 * not in the folder and not in the bucket; Quire only stops sending new and changed files.
 */
export function RemoveWatchFolderDialog(props: { folder: WatchFolderSummary | null; bucketOf: (folder: WatchFolderSummary) => string | undefined; onClose: () => void; onRemoved: (folder: WatchFolderSummary) => void }) {
  const [removing, setRemoving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const folder = props.folder;
  const bucket = folder ? props.bucketOf(folder) : undefined;

  const close = () => {
    setError(null);
    props.onClose();
  };

  const remove = async () => {
    if (!folder) return;
    setRemoving(true);
    try {
      await call('watch.remove', { id: folder.id });
      setError(null);
      props.onRemoved(folder);
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setRemoving(false);
    }
  };

  return (
    <ModalOverlay className={styles.overlay} isOpen={folder !== null} onOpenChange={(open) => !open && close()} isDismissable={!removing}>
      <Modal className={styles.modal}>
        <Dialog role="alertdialog" className={styles.dialog}>
          {folder && (
            <>
              <Heading slot="title" className={styles.dialogTitle}>
                Stop watching this folder?
              </Heading>
              <p className={styles.mono}>{folder.path}</p>
              <p>
                Quire stops sending its new and changed files. <strong>Nothing is deleted</strong>: the files stay in the folder, and the {folder.files.synced.toLocaleString('en-US')}{' '}
                {folder.files.synced === 1 ? 'file' : 'files'} already synced stay in the bucket{bucket ? <> <strong>{bucket}</strong></> : null}.
              </p>
              {folder.files.pending > 0 && <p>{folder.files.pending.toLocaleString('en-US')} not yet synced will not be sent; uploads already in the Queue finish there.</p>}
              {error && (
                <p className={styles.trouble} role="alert">
                  {error}
                </p>
              )}
              <div className={styles.dialogActions}>
                <Button variant="danger" onPress={remove} isDisabled={removing}>
                  {removing ? 'Stopping…' : error ? 'Try again' : 'Stop watching'}
                </Button>
                <Button onPress={close} isDisabled={removing} autoFocus>
                  Keep watching
                </Button>
              </div>
            </>
          )}
        </Dialog>
      </Modal>
    </ModalOverlay>
  );
}
