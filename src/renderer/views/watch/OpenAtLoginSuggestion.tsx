import { useEffect, useState } from 'react';
import { call, hostKind, messageOf } from '../../api/appApi';
import { announce } from '../../components/Announcer';
import { Button } from '../../components/Button';
import { ErrorMessage } from '../../components/ErrorMessage';
import styles from './WatchView.module.css';

/**
 * After a folder is added in the desktop app: a watch folder syncs only while Quire runs, so
 * opening Quire at login is suggested (once per add, and only while it is off). In a browser on
 * `quire serve` there is no app to open at login: nothing is shown.
 */
export function OpenAtLoginSuggestion({ onDone }: { onDone: () => void }) {
  const [off, setOff] = useState<boolean | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (hostKind !== 'desktop') return;
    let current = true;
    call('settings.get', {}).then(
      (settings) => current && setOff(!settings.openAtLogin),
      () => current && setOff(null),
    );
    return () => {
      current = false;
    };
  }, []);

  if (hostKind !== 'desktop' || !off) return null;

  const turnOn = async () => {
    try {
      await call('settings.update', { openAtLogin: true });
      announce('Quire opens at login now, hidden in the tray.');
      onDone();
    } catch (failure) {
      setError(messageOf(failure));
    }
  };

  return (
    <div className={styles.suggestion} role="group" aria-label="Open Quire at login">
      <p>This folder syncs while Quire runs. Open Quire when you log in (hidden in the tray), so it keeps syncing?</p>
      <Button variant="primary" onPress={() => void turnOn()}>
        Open at login
      </Button>
      <Button onPress={onDone}>Not now</Button>
      <ErrorMessage>{error}</ErrorMessage>
    </div>
  );
}
