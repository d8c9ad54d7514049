import { useState } from 'react';
import type { ConnectionSummary } from '../../../shared/connection';
import { providerLabel } from '../../../shared/connectionPresets';
import { formatBytes } from '../../../shared/format';
import { call, messageOf } from '../../api/appApi';
import { announce } from '../../components/Announcer';
import { Button } from '../../components/Button';
import styles from './ConnectionsView.module.css';

type TestOutcome = { ok: true; at: number } | { ok: false; message: string };

/**
 * The saved connections, one card each: where files go, the limits Quire checks before sending,
 * and what can be done with it. A test asks the bucket again with the saved keys.
 */
export function ConnectionList(props: { connections: ConnectionSummary[]; onChanged: () => Promise<void>; onRemove: (connection: ConnectionSummary) => void }) {
  const [busy, setBusy] = useState<Record<string, 'testing' | 'default' | undefined>>({});
  const [tests, setTests] = useState<Record<string, TestOutcome | undefined>>({});
  const [errors, setErrors] = useState<Record<string, string | undefined>>({});

  const test = async (connection: ConnectionSummary) => {
    setBusy((b) => ({ ...b, [connection.id]: 'testing' }));
    setErrors((e) => ({ ...e, [connection.id]: undefined }));
    try {
      await call('connections.test', { name: connection.name });
      setTests((t) => ({ ...t, [connection.id]: { ok: true, at: Date.now() } }));
      announce(`${connection.name} works: Quire can write to ${connection.bucket}.`);
    } catch (error) {
      setTests((t) => ({ ...t, [connection.id]: { ok: false, message: messageOf(error) } }));
    } finally {
      setBusy((b) => ({ ...b, [connection.id]: undefined }));
    }
  };

  const makeDefault = async (connection: ConnectionSummary) => {
    setBusy((b) => ({ ...b, [connection.id]: 'default' }));
    setErrors((e) => ({ ...e, [connection.id]: undefined }));
    try {
      await call('connections.setDefault', { name: connection.name });
      await props.onChanged();
      announce(`${connection.name} is now the default connection.`);
    } catch (error) {
      setErrors((e) => ({ ...e, [connection.id]: messageOf(error) }));
    } finally {
      setBusy((b) => ({ ...b, [connection.id]: undefined }));
    }
  };

  return (
    <ul className={styles.list} aria-label="Connections">
      {props.connections.map((connection) => {
        const outcome = tests[connection.id];
        const state = busy[connection.id];
        return (
          <li key={connection.id} className={styles.card} data-testid="connection" data-name={connection.name} aria-labelledby={`connection-${connection.id}`}>
            <div className={styles.cardHead}>
              <h3 id={`connection-${connection.id}`} className={styles.cardTitle}>
                {connection.name}
              </h3>
              {connection.isDefault && <span className={styles.defaultBadge}>Default</span>}
            </div>
            <dl className={styles.facts}>
              <div>
                <dt>Provider</dt>
                <dd>{providerLabel(connection.provider)}</dd>
              </div>
              <div>
                <dt>Bucket</dt>
                <dd className={styles.mono}>{connection.bucket}</dd>
              </div>
              <div>
                <dt>Region</dt>
                <dd className={styles.mono}>{connection.region}</dd>
              </div>
              <div>
                <dt>Endpoint</dt>
                <dd className={styles.mono}>{connection.endpoint}</dd>
              </div>
              <div>
                <dt>CDN</dt>
                <dd className={connection.cdnBaseUrl ? styles.mono : undefined}>{connection.cdnBaseUrl ?? 'none (links use the bucket’s address)'}</dd>
              </div>
              <div>
                <dt>New files</dt>
                <dd>{connection.defaultVisibility === 'public-read' ? 'public' : 'private'}</dd>
              </div>
              <div>
                <dt>Largest file</dt>
                <dd>{formatBytes(connection.maxFileSize)}</dd>
              </div>
              <div>
                <dt>File types</dt>
                <dd>{connection.allowedFileTypes.length > 0 ? connection.allowedFileTypes.join(', ') : 'any'}</dd>
              </div>
              <div>
                <dt>Access key</dt>
                <dd className={styles.mono}>{connection.accessKeyId}</dd>
              </div>
            </dl>
            <div className={styles.cardActions}>
              <Button size="small" onPress={() => test(connection)} isDisabled={state !== undefined} aria-label={`Test ${connection.name}`}>
                {state === 'testing' ? 'Testing…' : 'Test'}
              </Button>
              {!connection.isDefault && (
                <Button size="small" onPress={() => makeDefault(connection)} isDisabled={state !== undefined} aria-label={`Make ${connection.name} the default`}>
                  Make default
                </Button>
              )}
              <Button size="small" variant="danger" onPress={() => props.onRemove(connection)} isDisabled={state !== undefined} aria-label={`Remove ${connection.name}`}>
                Remove
              </Button>
            </div>
            {outcome?.ok && (
              <p className={styles.testOk} role="status">
                ✓ Works: Quire listed {connection.bucket}, wrote a test object and removed it.
              </p>
            )}
            {outcome && !outcome.ok && (
              <p className={styles.testFailed} role="alert">
                {outcome.message}
              </p>
            )}
            {errors[connection.id] && (
              <p className={styles.testFailed} role="alert">
                {errors[connection.id]}
              </p>
            )}
          </li>
        );
      })}
    </ul>
  );
}
