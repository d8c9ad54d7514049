import { useId, useState } from 'react';
import type { DesktopSettings } from '../../../shared/desktop';
import type { SettingsReport } from '../../../shared/settings';
import { call, hostKind, messageOf } from '../../api/appApi';
import { announce } from '../../components/Announcer';
import { ErrorMessage } from '../../components/ErrorMessage';
import styles from './SettingsView.module.css';

const choices: { setting: keyof DesktopSettings; label: string; help: string }[] = [
  { setting: 'notifications', label: 'Notify me when a batch is verified or an upload needs me', help: 'One notification per batch (“12 files verified, 1.4 GB”) and when a key is refused, a file keeps changing, the disk is full or the quota is crossed — never one per file.' },
  { setting: 'closeKeepsRunning', label: 'Keep uploading in the tray when I close the window', help: 'While uploads run or folders are watched, closing the window leaves Quire in the tray. Off: closing quits (uploads stop at part boundaries and go on at the next start).' },
  { setting: 'openAtLogin', label: 'Open Quire when I log in', help: 'Starts hidden in the tray, so watch folders keep syncing and unfinished uploads go on.' },
];

/**
 * The desktop app's choices, saved at each toggle. They live with the author's other settings, so
 * a browser on `quire serve` over the same data folder shows and changes them too; only the
 * desktop app acts on them (it applies "open at login" to the system when it starts).
 */
export function DesktopSettingsCard({ report, onSaved }: { report: SettingsReport; onSaved: (report: SettingsReport) => void }) {
  const [saving, setSaving] = useState<keyof DesktopSettings | null>(null);
  // The box moves at the click; it goes back if the save fails.
  const [chosen, setChosen] = useState<Partial<DesktopSettings>>({});
  const [error, setError] = useState<string | null>(null);
  const headingId = useId();

  const toggle = async (setting: keyof DesktopSettings, value: boolean) => {
    setSaving(setting);
    setChosen((c) => ({ ...c, [setting]: value }));
    setError(null);
    try {
      const answer = await call('settings.update', { [setting]: value });
      onSaved(answer);
      announce(`${choices.find((c) => c.setting === setting)!.label}: ${value ? 'on' : 'off'}.`);
    } catch (failure) {
      setError(messageOf(failure));
    } finally {
      setChosen((c) => ({ ...c, [setting]: undefined }));
      setSaving(null);
    }
  };

  return (
    <section className={styles.inForce} aria-labelledby={headingId} data-testid="desktop-settings">
      <h3 id={headingId} className={styles.subheading}>
        Desktop app
      </h3>
      {hostKind === 'web' && <p className={styles.note}>These apply to Quire’s desktop app on this computer’s data folder; this browser page shows and changes them.</p>}
      {choices.map(({ setting, label, help }) => (
        <label key={setting} className={styles.choice}>
          <input type="checkbox" name={setting} checked={chosen[setting] ?? report[setting]} disabled={saving !== null} onChange={(event) => void toggle(setting, event.target.checked)} />
          <span>
            <span className={styles.block}>{label}</span>
            <span className={styles.note}>{help}</span>
          </span>
        </label>
      ))}
      <ErrorMessage>{error}</ErrorMessage>
    </section>
  );
}
