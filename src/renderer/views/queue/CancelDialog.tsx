import { Dialog, Heading, Modal, ModalOverlay } from 'react-aria-components';
import { Button } from '../../components/Button';
import styles from './QueueView.module.css';

/**
 * Cancelling throws away what was sent (the server's multipart upload is aborted), so it is asked
 * once more. react-aria's Dialog traps focus and gives it back to the button that opened it.
 */
export function CancelDialog({ what, onConfirm, onClose }: { what: string | null; onConfirm: () => void; onClose: () => void }) {
  return (
    <ModalOverlay className={styles.overlay} isOpen={what !== null} onOpenChange={(open) => !open && onClose()} isDismissable>
      <Modal className={styles.modal}>
        <Dialog className={styles.dialog} role="alertdialog">
          <Heading slot="title" className={styles.dialogTitle}>
            Cancel {what}?
          </Heading>
          <p>The parts already sent are deleted from the bucket. To send it later you would start it again from the Upload view.</p>
          <div className={styles.dialogButtons}>
            <Button onPress={onClose} autoFocus>
              Keep it
            </Button>
            <Button variant="danger" onPress={onConfirm}>
              Cancel upload
            </Button>
          </div>
        </Dialog>
      </Modal>
    </ModalOverlay>
  );
}
