import { useState } from 'react';
import { Dialog, Heading, Modal, ModalOverlay } from 'react-aria-components';
import type { WatchFolderSummary } from '../../../shared/watch';
import { call, messageOf } from '../../api/appApi';
import { Button } from '../../components/Button';
import { heldDeletes, plural } from './watchWords';
import styles from './WatchView.module.css';

/**
 * "Delete N objects from the bucket?" The guard held these deletions because many files vanished
 * at once; the author confirms they were meant to go. Said with the bucket's name and that it
 * cannot be undone, with "Keep them" focused: the safe answer is the one Enter gives.
 */
export function ConfirmDeletesDialog(props: {
  /** The folder as it is now (kept current by its events while the dialog is open), or null: closed. */
  folder: WatchFolderSummary | null;
  bucketOf: (folder: WatchFolderSummary) => string | undefined;
  onClose: () => void;
  onConfirmed: (folder: WatchFolderSummary, held: number) => void;
}) {
  const [deleting, setDeleting] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // The count the author pressed on stays while the engine works (its events bring the folder's new count first).
  const [pressedWith, setPressedWith] = useState(0);
  const folder = props.folder;
  const bucket = folder ? props.bucketOf(folder) : undefined;
  const held = deleting ? pressedWith : folder ? heldDeletes(folder) : 0;

  const close = () => {
    setError(null);
    props.onClose();
  };

  const confirm = async () => {
    if (!folder) return;
    setPressedWith(held);
    setDeleting(true);
    try {
      const summary = await call('watch.confirmDeletes', { id: folder.id });
      setError(null);
      props.onConfirmed(summary, held);
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setDeleting(false);
    }
  };

  const objects = plural(held, 'object', 'objects');
  return (
    <ModalOverlay className={styles.overlay} isOpen={folder !== null} onOpenChange={(open) => !open && close()} isDismissable={!deleting}>
      <Modal className={styles.modal}>
        <Dialog role="alertdialog" className={styles.dialog}>
          {folder && held === 0 && (
            <>
              <Heading slot="title" className={styles.dialogTitle}>
                Nothing is held any more
              </Heading>
              <p>
                The deletions held in <span className={styles.mono}>{folder.path}</span> were confirmed elsewhere, or the files were put back. Nothing was deleted from here.
              </p>
              <div className={styles.dialogActions}>
                <Button onPress={close} autoFocus>
                  Close
                </Button>
              </div>
            </>
          )}
          {folder && held > 0 && (
            <>
              <Heading slot="title" className={styles.dialogTitle}>
                Delete {objects} from the bucket?
              </Heading>
              <p>
                The {held === 1 ? 'object of the file' : `objects of the ${plural(held, 'file', 'files')}`} that vanished at once from <span className={styles.mono}>{folder.path}</span>{' '}
                {held === 1 ? 'is' : 'are'} then deleted from the bucket{bucket ? <> <strong>{bucket}</strong></> : null} (connection {folder.connection}).
              </p>
              <p>
                <strong>This cannot be undone.</strong> An object someone else has changed since Quire wrote it is kept. If the files were not meant to go, keep them and put the files
                back in the folder instead.
              </p>
              {error && (
                <p className={styles.trouble} role="alert">
                  {error}
                </p>
              )}
              <div className={styles.dialogActions}>
                <Button variant="danger" onPress={confirm} isDisabled={deleting}>
                  {deleting ? 'Deleting…' : error ? 'Try again' : `Delete ${objects}`}
                </Button>
                <Button onPress={close} isDisabled={deleting} autoFocus>
                  Keep them
                </Button>
              </div>
            </>
          )}
        </Dialog>
      </Modal>
    </ModalOverlay>
  );
}
