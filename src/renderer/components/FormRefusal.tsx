import styles from './FormRefusal.module.css';

/**
 * What a form's submit was refused for: the whole form's reason, boxed where the author looks;
 * and, for screen readers, the first field's reason announced (each field also shows its own).
 */
export function FormRefusal({ form, fields, outcome }: { form: string | null; fields: Partial<Record<string, string>>; outcome: string }) {
  const firstField = Object.values(fields).find((message) => message);
  return (
    <>
      {form && (
        <p className={styles.refusal} role="alert">
          {form}
        </p>
      )}
      {firstField && (
        <p className="visually-hidden" role="alert">
          {outcome} {firstField}
        </p>
      )}
    </>
  );
}
