import type { SettingsReport } from '../../../shared/settings';
import { useQueueState } from '../../state/queueState';
import { describeImageSettings } from './imageSettingsForm';
import { describeSetting, inForceSettings, type TunedSetting } from './settingsForm';
import { settingWords } from './settingWords';
import styles from './SettingsView.module.css';

/** Test ids of the values, named after what the author reads. */
const testIds: Record<TunedSetting, string> = {
  partSize: 'in-force-part-size',
  requestBudget: 'in-force-requests-in-flight',
  filesAtOnce: 'in-force-files-at-once',
  bandwidthLimit: 'in-force-bandwidth',
  requestsPerSecond: 'in-force-rate',
};

/**
 * What the Quire that answered uses now, as it answered. A value its host fixed by a flag for this
 * run (`quire serve --limit-rate 1MiB`) is the one in force, and the saved choice beside it waits
 * for the next start: the author is told so, or a save that "does nothing" would be a mystery.
 */
export function InForceNow({ report }: { report: SettingsReport }) {
  // A Quire that only follows the queue holds its values for when it takes over; until then the
  // driver's own are the ones uploads obey, and this page cannot see that one's flags.
  const followsAnother = useQueueState((s) => s.queue?.state === 'elsewhere');
  return (
    <section className={styles.inForce} aria-labelledby="settings-in-force">
      <h3 id="settings-in-force" className={styles.subheading}>
        In force now
      </h3>
      {followsAnother && (
        <p className={styles.note} data-testid="in-force-elsewhere">
          These are this Quire&apos;s values. Another Quire drives the queue now (the app or quire run --follow): it uploads with the saved choices, unless it was started with flags of
          its own.
        </p>
      )}
      <dl className={styles.facts}>
        {inForceSettings(report).map(({ setting, value, savedWhenFixed }) => {
          const describe = describeSetting[setting];
          return (
            <div key={setting}>
              <dt>{settingWords[setting].name}</dt>
              <dd data-testid={testIds[setting]}>{describe(value)}</dd>
              {savedWhenFixed !== null && (
                <dd className={styles.fixed} data-testid={`${testIds[setting]}-fixed`}>
                  This Quire was started with a flag that holds it for this run. Your saved choice, {describe(savedWhenFixed)}, applies from its next start.
                </dd>
              )}
            </div>
          );
        })}
        <div>
          <dt>Images</dt>
          <dd data-testid="in-force-images">{describeImageSettings(report)}</dd>
        </div>
        <div>
          <dt>Queue</dt>
          <dd>{report.queuePaused ? 'paused (resume it in the Queue)' : 'running'}</dd>
        </div>
      </dl>
    </section>
  );
}
