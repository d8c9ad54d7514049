import { useId } from 'react';
import { TextInputField } from '../../components/TextInputField';
import fields from '../../components/fields.module.css';
import { guardExample } from './watchWords';
import styles from './WatchView.module.css';

/**
 * Whether files deleted from the folder are deleted from the bucket too: off unless the author
 * ticks it, and said in full before they do, since it is the one choice here that can lose
 * something. Ticked, the guard's share appears: past it, nothing is deleted until they confirm.
 */
export function DeletesFields(props: {
  syncDeletes: boolean;
  /** The guard as typed. */
  guard: string;
  guardError?: string;
  /** The chosen connection's bucket, to name it. */
  bucket?: string;
  onSyncDeletes: (on: boolean) => void;
  onGuard: (text: string) => void;
}) {
  const helpId = useId();
  const typed = Number(props.guard.trim().replace(/\s*%$/, ''));
  const the = props.bucket ? (
    <>
      the bucket <strong>{props.bucket}</strong>
    </>
  ) : (
    'the bucket'
  );

  return (
    <fieldset className={`${styles.wide} ${styles.deletes}`}>
      <legend className={fields.label}>Files deleted from the folder</legend>
      <label className={fields.check}>
        <input type="checkbox" name="syncDeletes" checked={props.syncDeletes} onChange={(event) => props.onSyncDeletes(event.target.checked)} aria-describedby={helpId} />
        <span>Also delete from the bucket what I delete from this folder</span>
      </label>
      <div id={helpId} className={`${fields.description} ${styles.deletesHelp}`}>
        <p>
          <strong>Off unless you tick it.</strong> Off, nothing is ever deleted in {the}: a file deleted from the folder stays there.
        </p>
        <p>
          Ticked, a file you delete from the folder has its object deleted from {the} too, but only if the object is still what Quire wrote (one someone else has changed since is
          kept). A file you rename is copied to its new name inside the bucket, then its old object is deleted. When too many files vanish at once (a disk unmounted, a folder
          emptied by mistake), nothing is deleted until you confirm it on this page.
        </p>
      </div>
      {props.syncDeletes && (
        <TextInputField
          label="Hold deletions when more than this % of the files vanish at once"
          name="deleteGuardPercent"
          value={props.guard}
          onChange={props.onGuard}
          error={props.guardError}
          inputMode="numeric"
          autoComplete="off"
          className={styles.guardField}
          inputClassName={styles.guardInput}
          description={guardExample(typed) ?? 'A whole number of percent from 1 to 100.'}
        />
      )}
    </fieldset>
  );
}
