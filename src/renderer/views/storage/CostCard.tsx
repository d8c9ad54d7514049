import { useState } from 'react';
import { formatBytes } from '../../../shared/format';
import { spacesPrices, type Prices, type UsageReport } from '../../../shared/usage';
import { Button } from '../../components/Button';
import { TextInputField } from '../../components/TextInputField';
import { priceFields, priceValues, pricesInput, samePrices, type PriceField, type PriceValues } from './quotaForm';
import { money } from './storageWords';
import styles from './StorageView.module.css';

/**
 * The month's bill for what is stored, line by line, with what it assumes said: the transfer out
 * (Quire sees no downloads, so the author says how much) and the prices (Spaces' unless the
 * author entered their provider's). Then the bill in 30 days at the last 30 days' pace.
 */
export function CostCard(props: {
  report: UsageReport;
  egress: string;
  onEgress: (text: string) => void;
  onSavePrices: (prices: Prices | null) => Promise<boolean>;
  busy: boolean;
}) {
  const { cost } = props.report;
  const currency = cost.prices.currency;
  const isSpaces = samePrices(cost.prices, spacesPrices);
  const [editing, setEditing] = useState<PriceValues | null>(null);
  const [errors, setErrors] = useState<Partial<Record<PriceField, string>>>({});
  const egressNumber = Number(props.egress);
  const egressError = props.egress.trim() !== '' && (!Number.isFinite(egressNumber) || egressNumber < 0) ? 'give the GiB downloaded per month, 0 or more' : undefined;

  async function save(prices: Prices | null) {
    if (await props.onSavePrices(prices)) {
      setEditing(null);
      setErrors({});
    }
  }

  return (
    <section className={styles.card} aria-labelledby="cost-heading" data-testid="cost">
      <div className={styles.cardHead}>
        <h3 id="cost-heading" className={styles.subheading}>
          Cost this month
        </h3>
        <span className={styles.costTotal} data-testid="cost-monthly">
          {money(cost.monthly, currency)}
        </span>
      </div>
      <table className={styles.lines} aria-label="The month's bill">
        <tbody>
          {cost.lines.map((line) => (
            <tr key={line.label}>
              <td>{line.label}</td>
              <td>{money(line.amount, currency)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className={styles.muted} data-testid="cost-projection">
        {cost.projection.bytesPerDay > 0
          ? `At the last 30 days’ pace (${formatBytes(cost.projection.bytesPerDay)} a day), the bill in 30 days: ${money(cost.projection.monthlyIn30Days, currency)} a month.`
          : `Nothing uploaded in the last 30 days: in 30 days the bill stays ${money(cost.projection.monthlyIn30Days, currency)} a month.`}
      </p>
      <div className={styles.egress}>
        <TextInputField
          label="Transfer out per month (GiB)"
          name="egress"
          value={props.egress}
          onChange={props.onEgress}
          inputMode="decimal"
          error={egressError}
          inputClassName={styles.egressInput}
          description="Assumed: Quire cannot see downloads. Inbound transfer is free."
        />
      </div>
      <p className={styles.muted}>
        Prices: {isSpaces ? 'DigitalOcean Spaces’ standard plan' : 'your own'} — {money(cost.prices.baseMonthly, currency)} a month with {cost.prices.includedStorageGiB} GiB stored and {cost.prices.includedEgressGiB} GiB out; beyond,{' '}
        {money(cost.prices.perGiBMonth, currency)} per GiB-month and {money(cost.prices.perGiBOut, currency)} per GiB out.
      </p>
      {editing ? (
        <form
          className={styles.form}
          aria-label="Prices"
          onSubmit={(event) => {
            event.preventDefault();
            const input = pricesInput(editing);
            if ('errors' in input) return setErrors(input.errors);
            void save(input.prices);
          }}
        >
          <div className={styles.priceGrid}>
            {priceFields.map(({ field, label, description }) => (
              <TextInputField
                key={field}
                label={label}
                name={field}
                value={editing[field]}
                onChange={(value) => setEditing({ ...editing, [field]: value })}
                inputMode={field === 'currency' ? 'text' : 'decimal'}
                error={errors[field]}
                description={description}
              />
            ))}
          </div>
          <div className={styles.actions}>
            <Button variant="primary" type="submit" isDisabled={props.busy}>
              Save prices
            </Button>
            {!isSpaces && (
              <Button onPress={() => void save(null)} isDisabled={props.busy}>
                Back to Spaces’ prices
              </Button>
            )}
            <Button variant="quiet" onPress={() => setEditing(null)}>
              Cancel
            </Button>
          </div>
        </form>
      ) : (
        <div className={styles.actions}>
          <Button
            onPress={() => {
              setErrors({});
              setEditing(priceValues(cost.prices));
            }}
          >
            Change prices
          </Button>
        </div>
      )}
    </section>
  );
}
