import type { ReactNode } from 'react';
import { Dialog, Heading, Modal, ModalOverlay } from 'react-aria-components';
import { Button } from '../../components/Button';
import styles from './StorageView.module.css';

/**
 * Deleting from the bucket is asked once more, saying what goes. react-aria's Dialog traps focus
 * and gives it back to the button that opened it; "Keep" has the focus, so Enter deletes nothing.
 */
export function ConfirmDialog(props: { isOpen: boolean; title: string; confirm: string; children: ReactNode; onConfirm: () => void; onClose: () => void }) {
  return (
    <ModalOverlay className={styles.overlay} isOpen={props.isOpen} onOpenChange={(open) => !open && props.onClose()} isDismissable>
      <Modal className={styles.modal}>
        <Dialog className={styles.dialog} role="alertdialog">
          <Heading slot="title" className={styles.dialogTitle}>
            {props.title}
          </Heading>
          {props.children}
          <div className={styles.dialogButtons}>
            <Button onPress={props.onClose} autoFocus>
              Keep them
            </Button>
            <Button variant="danger" onPress={props.onConfirm}>
              {props.confirm}
            </Button>
          </div>
        </Dialog>
      </Modal>
    </ModalOverlay>
  );
}
