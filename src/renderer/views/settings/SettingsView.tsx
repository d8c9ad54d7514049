import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { SettingsReport } from '../../../shared/settings';
import { call, messageOf } from '../../api/appApi';
import { announce } from '../../components/Announcer';
import { Button } from '../../components/Button';
import { ErrorMessage } from '../../components/ErrorMessage';
import { TextInputField } from '../../components/TextInputField';
import { DesktopSettingsCard } from './DesktopSettingsCard';
import { ImageSettingsFields } from './ImageSettingsFields';
import { imageValuesOf, validateImageSettings, type ImageFormValues } from './imageSettingsForm';
import { InForceNow } from './InForceNow';
import { describeSetting, inForceSettings, validateSettings, valuesOf, type SettingsErrors, type SettingsFormValues, tunedSettings } from './settingsForm';
import { settingWords } from './settingWords';
import styles from './SettingsView.module.css';

/**
 * The author's settings that outlive a run: part size, requests in flight, large files at once,
 * the bandwidth cap and the request rate. They are kept in the ledger, so whichever process drives
 * the queue (this one, the app, `quire run --follow`) applies a change at its next tick. What is
 * in force is shown as the engine answered, not as typed; the form edits the saved choice even
 * where a flag holds another value for this run.
 */
export function SettingsView() {
  const [report, setReport] = useState<SettingsReport | null>(null);
  const [values, setValues] = useState<SettingsFormValues | null>(null);
  const [errors, setErrors] = useState<SettingsErrors>({});
  const [imageValues, setImageValues] = useState<ImageFormValues | null>(null);
  const [qualityError, setQualityError] = useState<string | undefined>(undefined);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [saveError, setSaveError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [savedNote, setSavedNote] = useState<string | null>(null);
  const formRef = useRef<HTMLFormElement>(null);
  // The first field at fault takes the focus once the render that marked it is done.
  const [focusRequest, setFocusRequest] = useState(0);
  useEffect(() => {
    if (focusRequest > 0) formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [focusRequest]);

  useEffect(() => {
    let current = true;
    call('settings.get', {}).then(
      (answer) => {
        if (!current) return;
        setReport(answer);
        setValues(valuesOf(answer));
        setImageValues(imageValuesOf(answer));
      },
      (error: unknown) => current && setLoadError(messageOf(error)),
    );
    return () => {
      current = false;
    };
  }, []);

  const set = (field: keyof SettingsFormValues, value: string) => {
    setValues((v) => (v ? { ...v, [field]: value } : v));
    setErrors((e) => ({ ...e, [field]: undefined }));
    setSavedNote(null);
  };

  const setImages = (next: ImageFormValues) => {
    if (next.quality !== imageValues?.quality) setQualityError(undefined);
    setImageValues(next);
    setSavedNote(null);
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!values || !imageValues || !report || saving) return;
    const checked = validateSettings(values, report);
    const images = validateImageSettings(imageValues, report);
    setQualityError('qualityError' in images ? images.qualityError : undefined);
    if ('errors' in checked || 'qualityError' in images) {
      setErrors('errors' in checked ? checked.errors : {});
      setFocusRequest((n) => n + 1);
      return;
    }
    setSaving(true);
    setSaveError(null);
    try {
      const answer = await call('settings.update', { ...checked.update, ...images.update });
      setReport(answer);
      setValues(valuesOf(answer));
      setImageValues(imageValuesOf(answer));
      const held = tunedSettings.filter((setting) => checked.update[setting] !== undefined && answer.fixedHere[setting] !== undefined).map((s) => settingWords[s].name.toLowerCase());
      const note = held.length === 0 ? 'Saved; uploads follow it now.' : `Saved; uploads follow it now, except the ${held.join(' and ')}, which a flag holds for this run.`;
      setSavedNote(note);
      const inForce = inForceSettings(answer)
        .map(({ setting, value }) => `${settingWords[setting].name}: ${describeSetting[setting](value)}`)
        .join('; ');
      announce(`${note} In force now: ${inForce}.`);
    } catch (error) {
      setSaveError(messageOf(error));
    } finally {
      setSaving(false);
    }
  };

  return (
    <div className={styles.view}>
      <h2 className={styles.heading}>Settings</h2>
      {loadError && (
        <div className={styles.wide}>
          <ErrorMessage>{loadError}</ErrorMessage>
        </div>
      )}

      {report && <InForceNow report={report} />}

      {report && <DesktopSettingsCard report={report} onSaved={setReport} />}

      {report && values && imageValues && (
        <form ref={formRef} className={styles.form} onSubmit={submit} noValidate aria-labelledby="settings-form-title">
          <h3 id="settings-form-title" className={styles.subheading}>
            Change
          </h3>
          {tunedSettings.map((setting) => {
            const words = settingWords[setting];
            const fixed = report.fixedHere[setting];
            return (
              <TextInputField
                key={setting}
                label={words.label}
                name={words.field}
                inputMode={words.inputMode}
                value={values[words.field]}
                onChange={(v) => set(words.field, v)}
                error={errors[words.field]}
                inputClassName={styles.number}
                description={
                  fixed === undefined ? (
                    words.help
                  ) : (
                    <>
                      {words.help} <strong>For this run a flag holds it at {describeSetting[setting](fixed)}; what you save here applies from the next start.</strong>
                    </>
                  )
                }
              />
            );
          })}
          <ImageSettingsFields values={imageValues} qualityError={qualityError} onChange={setImages} />
          <ErrorMessage>{saveError}</ErrorMessage>
          <div className={styles.actions}>
            <Button type="submit" variant="primary" isDisabled={saving}>
              {saving ? 'Saving…' : 'Save'}
            </Button>
            {savedNote && <span className={styles.saved}>✓ {savedNote}</span>}
          </div>
        </form>
      )}
    </div>
  );
}
