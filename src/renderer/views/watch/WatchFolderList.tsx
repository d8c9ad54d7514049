import { useState } from 'react';
import type { WatchFolderSummary } from '../../../shared/watch';
import { call, messageOf } from '../../api/appApi';
import { announce } from '../../components/Announcer';
import { Button } from '../../components/Button';
import { StatusChip } from '../../components/StatusChip';
import { receiveWatchChanged } from '../../state/watchFolders';
import { HeldDeletes } from './HeldDeletes';
import { deletesText, destinationText, heldDeletes, imagesText, stateLabel, stateSentence, stateTone, timeText, typeText } from './watchWords';
import styles from './WatchView.module.css';

type Busy = 'pausing' | 'resuming' | 'scanning';

/**
 * The watch folders, one card each: where it is and where its files go, what Quire is doing with
 * it and why not when it cannot, how many files are synced, waiting, ignored or gone, and what
 * the author can do: pause or resume it, look at it now, stop watching it.
 */
export function WatchFolderList(props: {
  folders: WatchFolderSummary[];
  onRemove: (folder: WatchFolderSummary) => void;
  /** Opens the "delete the held objects?" dialog. */
  onConfirmDeletes: (folder: WatchFolderSummary) => void;
  bucketOf: (folder: WatchFolderSummary) => string | undefined;
}) {
  const [busy, setBusy] = useState<Record<string, Busy | undefined>>({});
  const [errors, setErrors] = useState<Record<string, string | undefined>>({});

  const run = async (folder: WatchFolderSummary, action: Busy) => {
    setBusy((b) => ({ ...b, [folder.id]: action }));
    setErrors((e) => ({ ...e, [folder.id]: undefined }));
    try {
      const name = action === 'pausing' ? 'watch.pause' : action === 'resuming' ? 'watch.resume' : 'watch.scan';
      // The answer is the folder as it is now; the events that follow keep it current.
      receiveWatchChanged(await call(name, { id: folder.id }));
      announce(action === 'pausing' ? `${folder.path} paused.` : action === 'resuming' ? `${folder.path} resumed.` : `Looking at ${folder.path} now.`);
    } catch (error) {
      setErrors((e) => ({ ...e, [folder.id]: messageOf(error) }));
    } finally {
      setBusy((b) => ({ ...b, [folder.id]: undefined }));
    }
  };

  return (
    <ul className={styles.list} aria-label="Watch folders">
      {props.folders.map((folder) => {
        const state = busy[folder.id];
        const held = heldDeletes(folder);
        const sentence = stateSentence(folder);
        const headingId = `watch-${folder.id}`;
        const trouble = folder.state === 'error' || folder.state === 'unavailable';
        return (
          <li key={folder.id} className={styles.card} data-testid="watch-folder" data-path={folder.path} data-state={folder.state} data-held={held > 0 || undefined} aria-labelledby={headingId}>
            <div className={styles.cardHead}>
              <h3 id={headingId} className={styles.cardTitle}>
                {folder.path}
              </h3>
              <StatusChip tone={held > 0 && folder.state === 'error' ? 'warning' : stateTone(folder.state)}>
                <span data-testid="watch-state">{stateLabel(folder)}</span>
              </StatusChip>
            </div>

            {held > 0 && <HeldDeletes folder={folder} held={held} bucket={props.bucketOf(folder)} onConfirm={() => props.onConfirmDeletes(folder)} isDisabled={state !== undefined} />}

            {sentence && !(held > 0 && isHeldSentence(sentence)) && (
              <p className={trouble ? styles.trouble : styles.note} role={trouble ? 'alert' : undefined} data-testid="watch-message">
                {sentence}
              </p>
            )}

            <dl className={styles.counts} aria-label="Files">
              <Count label="synced" value={folder.files.synced} />
              <Count label="pending" value={folder.files.pending} />
              <Count label="ignored" value={folder.files.ignored} />
              <Count label="missing" value={folder.files.missing} />
            </dl>

            <dl className={styles.facts}>
              <div>
                <dt>Connection</dt>
                <dd>{folder.connection}</dd>
              </div>
              <div>
                <dt>Goes to</dt>
                <dd className={folder.to ? styles.mono : undefined}>{destinationText(folder)}</dd>
              </div>
              <div>
                <dt>Content type</dt>
                <dd>{typeText(folder)}</dd>
              </div>
              <div>
                <dt>Only</dt>
                <dd className={folder.include.length > 0 ? styles.mono : undefined}>{folder.include.length > 0 ? folder.include.join(', ') : 'every file'}</dd>
              </div>
              <div>
                <dt>Never</dt>
                <dd>
                  {folder.exclude.length > 0 && <span className={styles.mono}>{folder.exclude.join(', ')}</span>}
                  {folder.exclude.length > 0 ? ', and ' : ''}temporary, system and hidden files
                </dd>
              </div>
              <div>
                <dt>Images</dt>
                <dd data-testid="watch-images">{imagesText(folder)}</dd>
              </div>
              <div>
                <dt>Notices changes</dt>
                <dd>{folder.poll ? 'by polling (network share)' : 'as they happen'}</dd>
              </div>
              <div>
                <dt>Deleted from the folder</dt>
                <dd data-testid="watch-deletes">{deletesText(folder)}</dd>
              </div>
              <div>
                <dt>Last scan</dt>
                <dd data-testid="watch-last-scan">{timeText(folder.lastScanAt)}</dd>
              </div>
              <div>
                <dt>Last sync</dt>
                <dd data-testid="watch-last-sync">{timeText(folder.lastSyncAt)}</dd>
              </div>
            </dl>

            <div className={styles.cardActions}>
              {folder.paused ? (
                <Button size="small" variant="primary" onPress={() => run(folder, 'resuming')} isDisabled={state !== undefined} aria-label={`Resume ${folder.path}`}>
                  {state === 'resuming' ? 'Resuming…' : 'Resume'}
                </Button>
              ) : (
                <Button size="small" onPress={() => run(folder, 'pausing')} isDisabled={state !== undefined} aria-label={`Pause ${folder.path}`}>
                  {state === 'pausing' ? 'Pausing…' : 'Pause'}
                </Button>
              )}
              <Button size="small" onPress={() => run(folder, 'scanning')} isDisabled={state !== undefined || folder.paused} aria-label={`Scan ${folder.path} now`}>
                {state === 'scanning' ? 'Scanning…' : 'Scan now'}
              </Button>
              <Button size="small" variant="danger" onPress={() => props.onRemove(folder)} isDisabled={state !== undefined} aria-label={`Stop watching ${folder.path}`}>
                Stop watching
              </Button>
            </div>
            {errors[folder.id] && (
              <p className={styles.trouble} role="alert">
                {errors[folder.id]}
              </p>
            )}
          </li>
        );
      })}
    </ul>
  );
}

/**
 * The engine's own sentence for held deletions points to the command line (quire watch
 * confirm-deletes); the warning above says the same with the page's two ways out, so that one
 * sentence is not said twice. Any other problem of the folder is still shown.
 */
function isHeldSentence(sentence: string): boolean {
  return sentence.includes('confirm-deletes');
}

function Count({ label, value }: { label: string; value: number }) {
  return (
    <div className={styles.count} data-testid={`watch-count-${label}`}>
      <dt className={styles.countLabel}>{label}</dt>
      <dd className={styles.countValue}>{value.toLocaleString('en-US')}</dd>
    </div>
  );
}
