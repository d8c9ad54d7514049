import { useState } from 'react';
import { formatBytes } from '../../../shared/format';
import type { UsageReport } from '../../../shared/usage';
import { Button } from '../../components/Button';
import { percentText, quotaStateLabel } from '../../components/quotaWords';
import { SelectField } from '../../components/SelectField';
import { TextInputField } from '../../components/TextInputField';
import { quotaInput, quotaUnits, quotaValues, type QuotaUnit, type QuotaValues } from './quotaForm';
import styles from './StorageView.module.css';

const unitOptions = (Object.keys(quotaUnits) as QuotaUnit[]).map((unit) => ({ value: unit, label: unit }));

/**
 * The quota as a meter: what is stored (unfinished uploads' parts included: they are billed) of
 * the quota, with the state in its colour and its words, the 80% and 90% marks on the track, and
 * a form to change it.
 */
export function QuotaCard({ report, onSave, busy }: { report: UsageReport; onSave: (quotaBytes: number | null) => Promise<boolean>; busy: boolean }) {
  const [editing, setEditing] = useState<QuotaValues | null>(null);
  const [error, setError] = useState<string | undefined>();
  const { quota } = report;
  const used = report.totals.bytes + report.unfinished.bytes;
  const percent = percentText(used, quota.bytes);
  const fill = Math.min(100, quota.usedPercent);

  async function save() {
    if (!editing) return;
    const input = quotaInput(editing);
    if ('error' in input) return setError(input.error);
    setError(undefined);
    if (await onSave(input.quotaBytes)) setEditing(null);
  }

  return (
    <section className={styles.card} aria-labelledby="quota-heading" data-testid="quota">
      <div className={styles.cardHead}>
        <h3 id="quota-heading" className={styles.subheading}>
          Quota
        </h3>
        <span className={`${styles.state} ${styles[quota.state]}`} data-testid="quota-state" data-state={quota.state}>
          {quotaStateLabel[quota.state]}
        </span>
      </div>
      <div className={styles.quotaLine}>
        <span className={styles.quotaFigures} data-testid="quota-figures">
          {formatBytes(used)} of {formatBytes(quota.bytes)} ({percent})
        </span>
        {quota.state === 'over' && <strong className={styles.over}>over by {formatBytes(used - quota.bytes)}</strong>}
      </div>
      <div
        className={`${styles.meter} ${styles[quota.state]}`}
        role="meter"
        aria-label="Storage used of the quota"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={fill}
        aria-valuetext={`${percent} of the quota: ${quotaStateLabel[quota.state]}`}
        data-testid="quota-meter"
      >
        <span className={styles.meterFill} style={{ width: `${fill}%` }} />
        <span className={styles.mark80} />
        <span className={styles.mark90} />
      </div>
      <div className={styles.scale} aria-hidden="true">
        <span>0</span>
        <span>80% high · 90% warning</span>
        <span>{formatBytes(quota.bytes)}</span>
      </div>
      <p className={styles.muted}>
        {quota.isDefault ? 'The Spaces plan’s 250 GiB (the default).' : 'Your own quota.'}
        {report.unfinished.bytes > 0 ? ` Unfinished uploads’ parts (${formatBytes(report.unfinished.bytes)}) count: they are billed.` : ''}
      </p>

      {editing ? (
        <form
          className={styles.form}
          aria-label="Change the quota"
          onSubmit={(event) => {
            event.preventDefault();
            void save();
          }}
        >
          <label className={styles.choice}>
            <input type="radio" name="quota-kind" checked={editing.plan} onChange={() => setEditing({ ...editing, plan: true })} />
            Spaces plan (250 GiB)
          </label>
          <label className={styles.choice}>
            <input type="radio" name="quota-kind" checked={!editing.plan} onChange={() => setEditing({ ...editing, plan: false })} />
            Another size
          </label>
          {!editing.plan && (
            <div className={styles.formRow}>
              <TextInputField label="Quota" name="quota-size" value={editing.size} onChange={(size) => setEditing({ ...editing, size })} inputMode="decimal" error={error} inputClassName={styles.sizeNumber} />
              <SelectField label="Unit" value={editing.unit} options={unitOptions} onChange={(unit) => setEditing({ ...editing, unit: unit as QuotaUnit })} />
            </div>
          )}
          <div className={styles.actions}>
            <Button variant="primary" type="submit" isDisabled={busy}>
              Save quota
            </Button>
            <Button variant="quiet" onPress={() => setEditing(null)}>
              Cancel
            </Button>
          </div>
        </form>
      ) : (
        <div className={styles.actions}>
          <Button
            onPress={() => {
              setError(undefined);
              setEditing(quotaValues(quota.bytes, quota.isDefault));
            }}
          >
            Change quota
          </Button>
        </div>
      )}
    </section>
  );
}
