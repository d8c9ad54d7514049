import type { ReactNode } from 'react';
import { FieldError, Input, Label, Text, TextField } from 'react-aria-components';
import styles from './fields.module.css';

/**
 * react-aria's TextField with Quire's look: the label, help text and error are wired to the input
 * (aria-describedby, aria-invalid) by the library. An error comes from the page's own check
 * (`error`) or from the engine through the surrounding Form's `validationErrors` by `name`.
 */
export function TextInputField(props: {
  label: string;
  name: string;
  value: string;
  onChange: (value: string) => void;
  description?: ReactNode;
  error?: string;
  type?: 'text' | 'password' | 'url';
  placeholder?: string;
  autoComplete?: string;
  inputMode?: 'text' | 'decimal' | 'numeric' | 'url';
  isRequired?: boolean;
  isDisabled?: boolean;
  list?: string;
  className?: string;
  inputClassName?: string;
  spellCheck?: boolean;
}) {
  return (
    <TextField
      name={props.name}
      value={props.value}
      onChange={props.onChange}
      type={props.type ?? 'text'}
      autoComplete={props.autoComplete}
      inputMode={props.inputMode}
      isRequired={props.isRequired}
      isDisabled={props.isDisabled}
      isInvalid={props.error ? true : undefined}
      // The contract's schema is the one check (see connectionForm.ts); the browser's own
      // (type=url) would put its message in place of ours.
      validationBehavior="aria"
      className={`${styles.field} ${props.className ?? ''}`}
    >
      {/* Required fields are announced by aria-required; the optional ones say so in their label. */}
      <Label className={styles.label}>{props.label}</Label>
      <Input className={`${styles.input} ${props.inputClassName ?? ''}`} placeholder={props.placeholder} list={props.list} spellCheck={props.spellCheck} />
      {/* The error first: it is what the author has to act on. */}
      <FieldError className={styles.error}>{props.error}</FieldError>
      {props.description && (
        <Text slot="description" className={styles.description}>
          {props.description}
        </Text>
      )}
    </TextField>
  );
}
