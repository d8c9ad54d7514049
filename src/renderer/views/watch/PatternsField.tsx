import type { ReactNode } from 'react';
import { FieldError, Label, Text, TextArea, TextField } from 'react-aria-components';
import fields from '../../components/fields.module.css';
import styles from './WatchView.module.css';

/**
 * A few lines of glob patterns: react-aria's TextField around a textarea, so the label, help text
 * and error are tied to it as they are for the one-line fields (TextInputField).
 */
export function PatternsField(props: { label: string; name: string; value: string; onChange: (value: string) => void; description: ReactNode; error?: string; placeholder?: string }) {
  return (
    <TextField
      name={props.name}
      value={props.value}
      onChange={props.onChange}
      isInvalid={props.error ? true : undefined}
      validationBehavior="aria"
      className={fields.field}
    >
      <Label className={fields.label}>{props.label}</Label>
      <TextArea className={`${fields.input} ${styles.patterns}`} placeholder={props.placeholder} rows={3} spellCheck={false} autoComplete="off" />
      <FieldError className={fields.error}>{props.error}</FieldError>
      <Text slot="description" className={fields.description}>
        {props.description}
      </Text>
    </TextField>
  );
}
