import type { WatchFolderSummary } from '../../../shared/watch';
import { Button } from '../../components/Button';
import { plural } from './watchWords';
import styles from './WatchView.module.css';

/**
 * Deletions the guard held: more of the folder's files vanished at once than the author allows,
 * so nothing was deleted in the bucket. Two ways out, the safe one first: put the files back, or
 * delete their objects (after a confirmation that names the bucket).
 */
export function HeldDeletes(props: { folder: WatchFolderSummary; held: number; bucket?: string; onConfirm: () => void; isDisabled?: boolean }) {
  const { folder, held } = props;
  const titleId = `held-${folder.id}`;
  return (
    <div className={styles.held} role="alert" aria-labelledby={titleId} data-testid="watch-held">
      <h4 id={titleId} className={styles.heldTitle}>
        ⚠ {plural(held, 'deletion', 'deletions')} held: nothing was deleted in the bucket
      </h4>
      <p>
        {plural(held, 'file', 'files')} vanished from this folder at once, more than the {folder.deleteGuardPercent}% it allows, so {held === 1 ? 'its object is' : 'their objects are'}{' '}
        still in the bucket{props.bucket ? <> <strong>{props.bucket}</strong></> : null}. Quire waits for you:
      </p>
      <ul>
        <li>If a disk was unmounted or the folder emptied by mistake, put the files back in the folder: nothing is deleted, and Quire finds them at its next look (Scan now looks at once).</li>
        <li>If you meant to delete them, delete their objects from the bucket too.</li>
      </ul>
      <div className={styles.heldActions}>
        <Button variant="danger" size="small" onPress={props.onConfirm} isDisabled={props.isDisabled} aria-label={`Delete ${plural(held, 'object', 'objects')} from the bucket (${folder.path})`}>
          Delete {plural(held, 'object', 'objects')} from the bucket
        </Button>
      </div>
    </div>
  );
}
