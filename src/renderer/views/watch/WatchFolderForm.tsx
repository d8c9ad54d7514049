import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { ConnectionSummary } from '../../../shared/connection';
import type { WatchFolderSummary } from '../../../shared/watch';
import { ApiError, call, hostKind, messageOf } from '../../api/appApi';
import { Button } from '../../components/Button';
import { FormRefusal } from '../../components/FormRefusal';
import { ImagesChoiceField } from '../../components/ImagesChoiceField';
import { useImageSettings } from '../../components/useImageSettings';
import { SelectField } from '../../components/SelectField';
import { TextInputField } from '../../components/TextInputField';
import fields from '../../components/fields.module.css';
import { navigate } from '../../shell/navigation';
import { HostBrowserDialog } from '../upload/HostBrowserDialog';
import { typeOptions, type TypeChoice } from '../upload/uploadPlan';
import { DeletesFields } from './DeletesFields';
import { PatternsField } from './PatternsField';
import { initialWatchValues, noWatchErrors, placeWatchEngineError, validateWatch, toWatchInput, type WatchFieldName, type WatchFormErrors, type WatchFormValues } from './watchForm';
import styles from './WatchView.module.css';

/**
 * Watching a folder: where it is on the Quire machine, where its files go, which of them. The
 * page checks the form with the contract's schema; the engine checks the folder itself (it is
 * there, it can be read, it is not watched already) and its refusal is shown where it belongs.
 */
export function WatchFolderForm(props: { connections: readonly ConnectionSummary[]; onAdded: (folder: WatchFolderSummary) => void; onCancel: () => void }) {
  const defaultConnection = props.connections.find((c) => c.isDefault) ?? props.connections[0];
  const [values, setValues] = useState<WatchFormValues>(() => initialWatchValues(defaultConnection?.name ?? ''));
  const [errors, setErrors] = useState<WatchFormErrors>(noWatchErrors);
  const [adding, setAdding] = useState(false);
  const [browsing, setBrowsing] = useState(false);
  const imageSettings = useImageSettings();
  const formRef = useRef<HTMLFormElement>(null);

  // The first field at fault takes the focus once the render that marked it is done.
  const [focusRequest, setFocusRequest] = useState(0);
  useEffect(() => {
    if (focusRequest > 0) formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [focusRequest]);

  const showErrors = (next: WatchFormErrors) => {
    setErrors(next);
    setFocusRequest((n) => n + 1);
  };

  /** Editing a field takes its error away: it is about what was there before. */
  const set = <K extends WatchFieldName>(key: K, value: WatchFormValues[K]) => {
    setValues((current) => ({ ...current, [key]: value }));
    setErrors((current) => {
      if (!current.fields[key] && !current.form) return current;
      const rest = { ...current.fields };
      delete rest[key];
      return { fields: rest, form: null };
    });
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (adding) return;
    const invalid = validateWatch(values);
    if (invalid) {
      showErrors(invalid);
      return;
    }
    setAdding(true);
    setErrors(noWatchErrors);
    try {
      const added = await call('watch.add', toWatchInput(values));
      props.onAdded(added);
    } catch (error) {
      showErrors(error instanceof ApiError ? placeWatchEngineError(error.code, error.message) : { fields: {}, form: messageOf(error) });
    } finally {
      setAdding(false);
    }
  };

  const chosen = props.connections.find((c) => c.name === values.connection);

  return (
    <>
      <form ref={formRef} className={styles.form} onSubmit={submit} noValidate aria-labelledby="add-watch-title" aria-busy={adding}>
        <h3 id="add-watch-title" className={styles.formTitle}>
          Watch a folder
        </h3>

        <div className={styles.pathRow}>
          <TextInputField
            label="Folder to watch"
            name="path"
            isRequired
            value={values.path}
            onChange={(v) => set('path', v)}
            error={errors.fields.path}
            placeholder={hostKind === 'web' ? '/srv/books/exports' : '/home/you/Books/Exports'}
            autoComplete="off"
            spellCheck={false}
            className={styles.pathField}
            inputClassName={styles.mono}
            description={
              hostKind === 'web'
                ? 'The full path of a folder on the computer running Quire (not this browser’s computer), or browse to it.'
                : 'The full path of the folder, as a terminal or file manager shows it, or browse to it.'
            }
          />
          {/* No native folder dialog in the contract: the engine's own folder listing serves both hosts. */}
          <Button onPress={() => setBrowsing(true)} isDisabled={adding} className={styles.browse}>
            Browse…
          </Button>
        </div>

        <div className={styles.grid}>
          <SelectField
            label="Connection"
            name="connection"
            value={values.connection}
            options={props.connections.map((c) => ({ value: c.name, label: `${c.name}${c.isDefault ? ' (default)' : ''} — ${c.bucket}` }))}
            onChange={(v) => set('connection', v)}
            error={errors.fields.connection}
            description={
              <>
                {chosen ? `Files go to the bucket ${chosen.bucket}. ` : null}
                <button type="button" className={styles.linkButton} onClick={() => navigate('connections')}>
                  Manage connections
                </button>
              </>
            }
          />

          <TextInputField
            label="Folder in the bucket (optional)"
            name="to"
            value={values.to}
            onChange={(v) => set('to', v)}
            error={errors.fields.to}
            placeholder="books/content/my-novel/"
            autoComplete="off"
            spellCheck={false}
            inputClassName={styles.mono}
            description="Files keep their place below it (drafts/ch1.docx goes to …/drafts/ch1.docx). Empty: each file goes to its type’s own folder (books/covers/…)."
          />

          <SelectField
            label="Content type"
            name="type"
            value={values.type}
            options={typeOptions}
            onChange={(v) => set('type', v as TypeChoice)}
            error={errors.fields.type}
            description="Guessed from each file’s name, or one type for every file of the folder."
          />

          <ImagesChoiceField
            name="images"
            value={values.images}
            settings={imageSettings}
            onChange={(v) => set('images', v)}
            description="A web set is smaller copies of an image for web pages, made by Quire before it uploads; an unchanged image is never made again."
          />

          <PatternsField
            label="Only these files (optional)"
            name="include"
            value={values.include}
            onChange={(v) => set('include', v)}
            error={errors.fields.include}
            placeholder={'**/*.wav\nchapters/**'}
            description="Glob patterns relative to the folder, one a line or separated by commas. Empty: every file."
          />

          <PatternsField
            label="Never these files (optional)"
            name="exclude"
            value={values.exclude}
            onChange={(v) => set('exclude', v)}
            error={errors.fields.exclude}
            placeholder={'drafts/**, *.bak'}
            description="On top of what is never sent: temporary and system files (*.tmp, *.part, ~$*, .DS_Store…) and hidden files."
          />

          <label className={`${fields.check} ${styles.wide}`}>
            <input type="checkbox" name="poll" checked={values.poll} onChange={(event) => set('poll', event.target.checked)} />
            <span>
              Look for changes every few seconds (polling)
              <span className={`${fields.description} ${styles.block}`}>
                For a folder on a network share or a NAS, which does not tell Quire when files change. Costs more; leave it off for a local disk.
              </span>
            </span>
          </label>

          <DeletesFields
            syncDeletes={values.syncDeletes}
            guard={values.deleteGuardPercent}
            guardError={errors.fields.deleteGuardPercent}
            bucket={chosen?.bucket}
            onSyncDeletes={(on) => set('syncDeletes', on)}
            onGuard={(text) => set('deleteGuardPercent', text)}
          />
        </div>

        <FormRefusal form={errors.form} fields={errors.fields} outcome="Not added." />

        <div className={styles.formActions}>
          <Button type="submit" variant="primary" isDisabled={adding}>
            {adding ? 'Adding…' : 'Watch this folder'}
          </Button>
          <Button onPress={props.onCancel} isDisabled={adding}>
            Cancel
          </Button>
          <span className={fields.description}>Files already in the folder are sent first; after that, each new or changed file once it has been still for a moment.</span>
        </div>
      </form>
      {/* Outside the form: React carries the dialog's own submit (its "Open" field) up through the portal. */}
      <HostBrowserDialog
        isOpen={browsing}
        chooseFolder
        onClose={() => setBrowsing(false)}
        onChoose={([path]) => {
          if (path) set('path', path);
        }}
      />
    </>
  );
}
