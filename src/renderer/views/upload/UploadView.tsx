import { useCallback, useEffect, useRef, useState } from 'react';
import { formatBytes } from '../../../shared/format';
import { categories } from '../../../shared/layout';
import type { EnqueueResult } from '../../../shared/upload';
import { hostKind, messageOf, call } from '../../api/appApi';
import { stageFiles } from '../../api/staging';
import { announce } from '../../components/Announcer';
import { Button } from '../../components/Button';
import { EmptyState } from '../../components/EmptyState';
import { ErrorMessage } from '../../components/ErrorMessage';
import { ProgressBar } from '../../components/ProgressBar';
import { navigate } from '../../shell/navigation';
import { useConnections } from '../../state/connections';
import { DestinationFields } from './DestinationFields';
import { DropArea } from './DropArea';
import { HostBrowserDialog } from './HostBrowserDialog';
import { PreviewList, ProblemList } from './PreviewList';
import type { Picked } from './readPicked';
import { entryKey, mergeResults, topLevelEntries, type Destination, type Problem, type Source, type TypeChoice, type TypeOverrides } from './uploadPlan';
import { usePreview } from './usePreview';
import styles from './UploadView.module.css';

interface Staging {
  sent: number;
  total: number;
  files: number;
  controller: AbortController;
}

interface Outcome {
  queued: number;
  queuedBytes: number;
  connection: string | undefined;
  problems: Problem[];
  error: string | null;
}

const initialDestination: Destination = { connection: undefined, to: '', type: 'auto', template: 'keep-name', visibility: 'connection', onConflict: 'keep-both' };

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
  const [sources, setSources] = useState<Source[]>([]);
  const [intakeProblems, setIntakeProblems] = useState<Problem[]>([]);
  const [overrides, setOverrides] = useState<TypeOverrides>({});
  const [destination, setDestination] = useState<Destination>(initialDestination);
  const [staging, setStaging] = useState<Staging | null>(null);
  const [sending, setSending] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [intakeError, setIntakeError] = useState<string | null>(null);
  const [browsing, setBrowsing] = useState(false);
  const mounted = useRef(true);

  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  // The default connection is chosen until the author picks another; a removed one gives way to it.
  useEffect(() => {
    if (connections.length === 0) return;
    if (destination.connection && connections.some((c) => c.name === destination.connection)) return;
    const fallback = connections.find((c) => c.isDefault) ?? connections[0];
    setDestination((d) => ({ ...d, connection: fallback?.name }));
  }, [connections, destination.connection]);

  const hasConnection = destination.connection !== undefined && connections.some((c) => c.name === destination.connection);
  const { calls, preview, loading, error: previewError } = usePreview(sources, destination, overrides, hasConnection && !sending);

  const addSource = useCallback((source: Source) => {
    setSources((list) => [...list, source]);
    setOutcome(null);
  }, []);

  /** A drop or pick: paths go to the engine as they are; a browser's files are copied to the host first. */
  const onPicked = useCallback(
    async (pending: Promise<Picked>) => {
      setIntakeError(null);
      let picked: Picked;
      try {
        picked = await pending;
      } catch (error) {
        setIntakeError(`The dropped items could not be read: ${messageOf(error)}`);
        return;
      }
      const unreadable: Problem[] = picked.unreadable.map((path) => ({
        path,
        kind: 'unreadable',
        message: hostKind === 'desktop' ? `${path} has no place on disk Quire can read (was it dragged from another app?). Save it to a folder first, then add it.` : `${path} could not be read by the browser. Check that it still exists, then add it again.`,
      }));
      setIntakeProblems((p) => [...p, ...unreadable]);
      if (picked.kind === 'paths') {
        if (picked.paths.length > 0) addSource({ id: crypto.randomUUID(), kind: 'paths', entries: picked.paths });
        return;
      }
      if (picked.files.length === 0) {
        if (unreadable.length === 0) setIntakeError('Nothing to add: the drop held no files (an empty folder?).');
        return;
      }
      const controller = new AbortController();
      const total = picked.files.reduce((sum, f) => sum + f.file.size, 0);
      setStaging({ sent: 0, total, files: picked.files.length, controller });
      const staged = await stageFiles(
        picked.files,
        (sent, all) => mounted.current && setStaging((s) => (s ? { ...s, sent, total: all } : s)),
        controller.signal,
      );
      if (!mounted.current) return;
      setStaging(null);
      if (controller.signal.aborted) {
        announce('Copying cancelled; nothing was added.');
        setIntakeError('Copying was cancelled; nothing was added. What had been copied is removed from the Quire machine within a day.');
        return;
      }
      setIntakeProblems((p) => [...p, ...staged.failed.map((f): Problem => ({ path: f.relativePath, kind: 'not-copied', message: f.message }))]);
      if (staged.staged.length > 0) addSource({ id: crypto.randomUUID(), kind: 'staged', batch: staged.batch, entries: topLevelEntries(staged.staged) });
    },
    [addSource],
  );

  const setType = (sourceId: string, entry: string, type: TypeChoice) => {
    setOverrides((current) => {
      const next = { ...current };
      if (type === destination.type) delete next[entryKey(sourceId, entry)];
      else next[entryKey(sourceId, entry)] = type;
      return next;
    });
  };

  const leaveOut = (sourceId: string, entry: string) => {
    setSources((list) => list.map((s) => (s.id === sourceId ? { ...s, entries: s.entries.filter((e) => e !== entry) } : s)).filter((s) => s.entries.length > 0));
  };

  const startOver = () => {
    setSources([]);
    setOverrides({});
    setIntakeProblems([]);
    setIntakeError(null);
  };

  const send = async () => {
    if (!preview || calls.length === 0) return;
    setSending(true);
    const results: EnqueueResult[] = [];
    let error: string | null = null;
    for (const planned of calls) {
      try {
        results.push(await call('uploads.enqueue', planned.input));
      } catch (e) {
        error = messageOf(e);
        break;
      }
    }
    const merged = mergeResults(results);
    const problems: Problem[] = [
      ...intakeProblems,
      ...merged.rejected.map((r): Problem => ({ path: r.path, message: r.error.message, kind: 'rejected' })),
      ...merged.skipped.map((s): Problem => ({ path: s.path, message: s.reason, kind: 'skipped' })),
    ];
    const result: Outcome = { queued: merged.queued.length, queuedBytes: merged.queued.reduce((sum, u) => sum + u.size, 0), connection: destination.connection, problems, error };
    setOutcome(result);
    announce(outcomeSentence(result));
    if (!error) startOver();
    setSending(false);
  };

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
  const busy = staging !== null || sending;
  const canSend = !busy && !loading && !previewError && rows.length > 0 && calls.length > 0;

  return (
    <div className={styles.view}>
      <h2 className={styles.heading}>Upload</h2>

      <DropArea onPicked={(p) => void onPicked(p)} onBrowseHost={() => setBrowsing(true)} isDisabled={busy} isCompact={sources.length > 0 || intakeProblems.length > 0} />
      {hostKind === 'web' && <HostBrowserDialog isOpen={browsing} onClose={() => setBrowsing(false)} onChoose={(paths) => addSource({ id: crypto.randomUUID(), kind: 'paths', entries: paths })} />}

      {staging && (
        <div className={styles.staging} role="group" aria-label="Copying to Quire">
          <div className={styles.stagingText}>
            <strong>Copying to Quire…</strong>{' '}
            <span aria-live="polite">
              {formatBytes(staging.sent)} of {formatBytes(staging.total)} ({staging.files} {staging.files === 1 ? 'file' : 'files'})
            </span>
          </div>
          <ProgressBar value={staging.sent} max={staging.total} label="Copying to Quire" />
          <p className={styles.muted}>The files are copied to the Quire machine so it can show their keys. Nothing goes to the bucket until you choose Upload.</p>
          <Button onPress={() => staging.controller.abort()}>Cancel copying</Button>
        </div>
      )}

      <ErrorMessage>{intakeError}</ErrorMessage>

      {outcome && <OutcomeSummary outcome={outcome} />}

      {sources.length === 0 && intakeProblems.length === 0 && !staging && !outcome && <WhereFilesGo />}

      {(sources.length > 0 || intakeProblems.length > 0) && (
        <section className={styles.plan} aria-labelledby="upload-plan-title" aria-busy={loading}>
          <div className={styles.planHead}>
            <h3 id="upload-plan-title" className={styles.subheading}>
              Before sending
            </h3>
            <Button variant="quiet" onPress={startOver} isDisabled={busy}>
              Start over
            </Button>
          </div>

          <DestinationFields destination={destination} connections={connections} onChange={setDestination} isDisabled={busy} />

          {destination.template === 'dated-uuid' && (
            <p className={styles.muted}>Dated unique names are made when the files are queued: the keys below show their form, not the final names.</p>
          )}

          <p className={styles.loading} role="status">
            {loading ? 'Asking the bucket which keys are free…' : ''}
          </p>
          <ErrorMessage>{previewError}</ErrorMessage>

          {preview && rows.length > 0 && <PreviewList preview={preview} destination={destination} overrides={overrides} onType={setType} onLeaveOut={leaveOut} isBusy={busy} />}

          <ProblemList problems={problems} title="Will not be uploaded" />

          <div className={styles.sendBar}>
            <Button variant="primary" onPress={() => void send()} isDisabled={!canSend} data-testid="upload-send">
              {sending ? 'Queuing…' : `Upload ${rows.length} ${rows.length === 1 ? 'file' : 'files'}`}
            </Button>
            {problems.length > 0 && rows.length > 0 && (
              <span className={styles.muted}>
                Only the files listed above go; the {problems.length} below them stay out.
              </span>
            )}
          </div>
        </section>
      )}
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

function outcomeSentence(outcome: Outcome): string {
  const queued = `${outcome.queued} ${outcome.queued === 1 ? 'file' : 'files'} queued (${formatBytes(outcome.queuedBytes)})`;
  const refused = outcome.problems.length > 0 ? `; ${outcome.problems.length} not uploaded` : '';
  return outcome.error ? `${queued}; then Quire stopped: ${outcome.error}` : `${queued}${refused}.`;
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
