import { useEffect, useState } from 'react';
import { formatBytes } from '../../../shared/format';
import { categories } from '../../../shared/layout';
import { hostKind } from '../../api/appApi';
import { Button } from '../../components/Button';
import { EmptyState } from '../../components/EmptyState';
import { ErrorMessage } from '../../components/ErrorMessage';
import { ProgressBar } from '../../components/ProgressBar';
import { useImageSettings } from '../../components/useImageSettings';
import { navigate } from '../../shell/navigation';
import { useConnections } from '../../state/connections';
import { DestinationFields } from './DestinationFields';
import { DropArea } from './DropArea';
import { HostBrowserDialog } from './HostBrowserDialog';
import { PreviewList, ProblemList } from './PreviewList';
import { QuotaWarning } from './QuotaWarning';
import { addHostPaths, addPicked, cancelStaging, leaveOut, send, setDestination, setEntryType, startOver, useUploadDraft, type Outcome } from './uploadDraft';
import { usePreview } from './usePreview';
import styles from './UploadView.module.css';

/**
 * Upload: add files, see every object key and every problem before anything goes to the bucket,
 * then queue them. In the desktop window the engine reads dropped files where they are; in a
 * browser their bytes are first copied to the Quire host ("Copying to Quire…", cancellable),
 * because the engine, which makes every key, can only look at files it has. Nothing reaches the
 * bucket before "Upload": a copy the author abandons is swept from the host after a day.
 */
export function UploadView() {
  const connections = useConnections((s) => s.list);
  const connectionsLoaded = useConnections((s) => s.loaded);
  const [browsing, setBrowsing] = useState(false);
  // How the preview words a web set (format, metadata, the original kept) and what "as settings say" means.
  const imageSettings = useImageSettings();
  // Each piece by its own selector: the copy's progress re-renders only its bar, not the preview.
  const sources = useUploadDraft((s) => s.sources);
  const intakeProblems = useUploadDraft((s) => s.intakeProblems);
  const overrides = useUploadDraft((s) => s.overrides);
  const destination = useUploadDraft((s) => s.destination);
  const copying = useUploadDraft((s) => s.staging !== null);
  const sending = useUploadDraft((s) => s.sending);
  const outcome = useUploadDraft((s) => s.outcome);
  const intakeError = useUploadDraft((s) => s.intakeError);

  // The default connection is chosen until the author picks another; a removed one gives way to it.
  useEffect(() => {
    if (connections.length === 0) return;
    if (destination.connection && connections.some((c) => c.name === destination.connection)) return;
    const fallback = connections.find((c) => c.isDefault) ?? connections[0];
    setDestination({ ...destination, connection: fallback?.name });
  }, [connections, destination]);

  const hasConnection = destination.connection !== undefined && connections.some((c) => c.name === destination.connection);
  const { calls, preview, loading, error: previewError } = usePreview(sources, destination, overrides, hasConnection);

  if (connectionsLoaded && connections.length === 0) {
    return (
      <div className={styles.view}>
        <h2 className={styles.heading}>Upload</h2>
        <EmptyState
          title="Add a connection first"
          action={
            <Button variant="primary" onPress={() => navigate('connections')}>
              Go to Connections
            </Button>
          }
        >
          Quire uploads to a bucket you own — a DigitalOcean Space or any S3-compatible storage. Add one with its keys; then drop your manuscripts, audio and covers here.
        </EmptyState>
      </div>
    );
  }

  const rows = preview?.rows ?? [];
  const problems = [...intakeProblems, ...(preview?.problems ?? [])];
  const busy = copying || sending;
  const canSend = !busy && !loading && !previewError && rows.length > 0 && calls.length > 0;
  const hasDraft = sources.length > 0 || intakeProblems.length > 0;

  return (
    <div className={styles.view}>
      <h2 className={styles.heading}>Upload</h2>

      <DropArea onPicked={(p) => void addPicked(p)} onBrowseHost={() => setBrowsing(true)} isDisabled={busy} isCompact={hasDraft} />
      {hostKind === 'web' && <HostBrowserDialog isOpen={browsing} onClose={() => setBrowsing(false)} onChoose={addHostPaths} />}

      {copying && <StagingProgress />}

      <ErrorMessage>{intakeError}</ErrorMessage>

      {outcome && <OutcomeSummary outcome={outcome} />}

      {!hasDraft && !copying && !outcome && <WhereFilesGo />}

      {hasDraft && (
        <section className={styles.plan} aria-labelledby="upload-plan-title" aria-busy={loading}>
          <div className={styles.planHead}>
            <h3 id="upload-plan-title" className={styles.subheading}>
              Before sending
            </h3>
            <Button variant="quiet" onPress={startOver} isDisabled={busy}>
              Start over
            </Button>
          </div>

          <DestinationFields destination={destination} connections={connections} imageSettings={imageSettings} onChange={setDestination} isDisabled={busy} />

          {destination.template === 'dated-uuid' && (
            <p className={styles.muted}>Dated unique names are made when the files are queued: the keys below show their form, not the final names.</p>
          )}

          <p className={styles.loading} role="status">
            {loading ? 'Asking the bucket which keys are free…' : ''}
          </p>
          <ErrorMessage>{previewError}</ErrorMessage>

          {preview && rows.length > 0 && <PreviewList preview={preview} destination={destination} overrides={overrides} imageSettings={imageSettings} onType={setEntryType} onLeaveOut={leaveOut} isBusy={busy} />}

          <ProblemList problems={problems} title="Will not be uploaded" />

          {!loading && <QuotaWarning quota={preview?.quota ?? null} />}

          <div className={styles.sendBar}>
            <Button variant="primary" onPress={() => void send(calls)} isDisabled={!canSend} data-testid="upload-send">
              {sending ? 'Queuing…' : `Upload ${rows.length} ${rows.length === 1 ? 'file' : 'files'}`}
            </Button>
            {problems.length > 0 && rows.length > 0 && <span className={styles.muted}>Only the files listed above go; the {problems.length} below them stay out.</span>}
          </div>
        </section>
      )}
    </div>
  );
}

/** The copy of a browser's drop to the host, with its bytes so far and a way to stop it. */
function StagingProgress() {
  const staging = useUploadDraft((s) => s.staging);
  if (!staging) return null;
  return (
    <div className={styles.staging} role="group" aria-label="Copying to Quire">
      <div className={styles.stagingText}>
        <strong>Copying to Quire…</strong>{' '}
        <span>
          {formatBytes(staging.sent)} of {formatBytes(staging.total)} ({staging.files} {staging.files === 1 ? 'file' : 'files'})
        </span>
      </div>
      <ProgressBar value={staging.sent} max={staging.total} label="Copying to Quire" />
      <p className={styles.muted}>The files are copied to the Quire machine so it can show their keys. Nothing goes to the bucket until you choose Upload.</p>
      <Button onPress={cancelStaging}>Cancel copying</Button>
    </div>
  );
}

/** The bucket's layout, so an author knows before dropping where each kind of file lands. */
function WhereFilesGo() {
  const shown: [string, string][] = [
    ['Manuscripts (PDF, EPUB, DOCX…)', categories.manuscript],
    ['Audio chapters (MP3, WAV, M4B…)', categories.audio],
    ['Covers (an image named “cover…”)', categories.cover],
    ['Other book images', categories['book-asset']],
    ['Author photos (“headshot”, “avatar”…)', categories.avatar],
    ['Video', categories.video],
  ];
  return (
    <section className={styles.layout} aria-labelledby="where-files-go">
      <h3 id="where-files-go" className={styles.subheading}>
        Where files go
      </h3>
      <p className={styles.muted}>Quire files each one by its kind; you see every key and can change the type or folder before anything is sent.</p>
      <dl className={styles.layoutList}>
        {shown.map(([kind, prefix]) => (
          <div key={prefix}>
            <dt>{kind}</dt>
            <dd>
              <code className={styles.key}>{prefix}</code>
            </dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

function OutcomeSummary({ outcome }: { outcome: Outcome }) {
  return (
    <section className={styles.outcome} aria-labelledby="upload-outcome-title" data-testid="upload-outcome">
      <h3 id="upload-outcome-title" className={styles.subheading}>
        {outcome.queued > 0 ? `✓ ${outcome.queued} ${outcome.queued === 1 ? 'file' : 'files'} queued` : 'Nothing was queued'}
      </h3>
      <p>
        {outcome.queued > 0 && (
          <>
            {formatBytes(outcome.queuedBytes)} to {outcome.connection ?? 'the default connection'}. They upload in the background; follow them in the Queue.{' '}
          </>
        )}
        {outcome.error && <strong>{outcome.error}</strong>}
      </p>
      {outcome.queued > 0 && (
        <Button variant="primary" onPress={() => navigate('queue')}>
          Open the Queue
        </Button>
      )}
      <ProblemList problems={outcome.problems} title="Not uploaded" />
    </section>
  );
}
