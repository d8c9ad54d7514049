import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { Settings } from '../../../shared/settings';
import { call, messageOf } from '../../api/appApi';
import { announce } from '../../components/Announcer';
import { Button } from '../../components/Button';
import { ErrorMessage } from '../../components/ErrorMessage';
import { TextInputField } from '../../components/TextInputField';
import { describeBandwidth, validateSettings, valuesOf, type SettingsErrors, type SettingsFormValues } from './settingsForm';
import styles from './SettingsView.module.css';

/**
 * The author's settings that outlive a run: the bandwidth cap and the request rate. They are kept
 * in the ledger, so whichever process drives the queue (this one, the app, `quire run --follow`)
 * obeys a change within a moment. What is in force is shown as the engine answered, not as typed.
 */
export function SettingsView() {
  const [inForce, setInForce] = useState<Settings | null>(null);
  const [values, setValues] = useState<SettingsFormValues | null>(null);
  const [errors, setErrors] = useState<SettingsErrors>({});
  const [loadError, setLoadError] = useState<string | null>(null);
  const [saveError, setSaveError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);
  // The first field at fault takes the focus once the render that marked it is done.
  const [focusRequest, setFocusRequest] = useState(0);
  useEffect(() => {
    if (focusRequest > 0) formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [focusRequest]);

  useEffect(() => {
    let current = true;
    call('settings.get', {}).then(
      (settings) => {
        if (!current) return;
        setInForce(settings);
        setValues(valuesOf(settings));
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
    setSaved(false);
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!values || saving) return;
    const checked = validateSettings(values);
    if ('errors' in checked) {
      setErrors(checked.errors);
      setFocusRequest((n) => n + 1);
      return;
    }
    setSaving(true);
    setSaveError(null);
    try {
      const settings = await call('settings.update', checked.update);
      setInForce(settings);
      setValues(valuesOf(settings));
      setSaved(true);
      announce(`Settings saved. Bandwidth cap: ${describeBandwidth(settings.bandwidthLimit)}; request rate: ${settings.requestsPerSecond} per second.`);
    } catch (error) {
      setSaveError(messageOf(error));
    } finally {
      setSaving(false);
    }
  };

  return (
    <div className={styles.view}>
      <h2 className={styles.heading}>Settings</h2>
      <ErrorMessage>{loadError}</ErrorMessage>

      {inForce && (
        <section className={styles.inForce} aria-labelledby="settings-in-force">
          <h3 id="settings-in-force" className={styles.subheading}>
            In force now
          </h3>
          <dl className={styles.facts}>
            <div>
              <dt>Bandwidth cap</dt>
              <dd data-testid="in-force-bandwidth">{describeBandwidth(inForce.bandwidthLimit)}</dd>
            </div>
            <div>
              <dt>Request rate</dt>
              <dd data-testid="in-force-rate">{inForce.requestsPerSecond.toLocaleString('en-US')} requests per second per connection</dd>
            </div>
            <div>
              <dt>Queue</dt>
              <dd>{inForce.queuePaused ? 'paused (resume it in the Queue)' : 'running'}</dd>
            </div>
          </dl>
        </section>
      )}

      {values && (
        <form ref={formRef} className={styles.form} onSubmit={submit} noValidate aria-labelledby="settings-form-title">
          <h3 id="settings-form-title" className={styles.subheading}>
            Change
          </h3>
          <TextInputField
            label="Bandwidth cap (MiB/s)"
            name="bandwidthMiBps"
            inputMode="decimal"
            value={values.bandwidthMiBps}
            onChange={(v) => set('bandwidthMiBps', v)}
            error={errors.bandwidthMiBps}
            inputClassName={styles.number}
            description="All uploads together, in mebibytes per second; 0 for no cap. Leave room for the rest of your household or office on a shared line."
          />
          <TextInputField
            label="Request rate (requests per second)"
            name="requestsPerSecond"
            inputMode="numeric"
            value={values.requestsPerSecond}
            onChange={(v) => set('requestsPerSecond', v)}
            error={errors.requestsPerSecond}
            inputClassName={styles.number}
            description="The most requests Quire sends to one connection each second. Spaces allows 300 writes and lists per second on older buckets; when the server asks Quire to slow down, it does so by itself."
          />
          <ErrorMessage>{saveError}</ErrorMessage>
          <div className={styles.actions}>
            <Button type="submit" variant="primary" isDisabled={saving}>
              {saving ? 'Saving…' : 'Save'}
            </Button>
            {saved && (
              <span className={styles.saved} role="status">
                ✓ Saved; uploads follow it now.
              </span>
            )}
          </div>
          <p className={styles.note}>Part size, requests in flight and how many files upload at once are chosen by Quire for now; they are not settings yet.</p>
        </form>
      )}
    </div>
  );
}
