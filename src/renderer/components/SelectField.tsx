import { useId, type ReactNode } from 'react';
import styles from './fields.module.css';

export interface SelectOption {
  value: string;
  label: string;
}

/**
 * A labelled native <select>: the platform's own list keeps its keyboard behaviour and screen
 * reader announcements at any zoom. Its help text and error are tied to it by aria-describedby,
 * and an error also marks it aria-invalid, as react-aria does for its text fields.
 */
export function SelectField(props: {
  label: string;
  value: string;
  options: readonly SelectOption[];
  onChange: (value: string) => void;
  description?: ReactNode;
  error?: string;
  name?: string;
  isDisabled?: boolean;
  className?: string;
  /** For a select whose column or row already says what it is: the label stays for screen readers. */
  hideLabel?: boolean;
  isSmall?: boolean;
}) {
  const id = useId();
  const descriptionId = props.description ? `${id}-description` : undefined;
  const errorId = props.error ? `${id}-error` : undefined;
  const describedBy = [errorId, descriptionId].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`${styles.field} ${props.className ?? ''}`}>
      <label className={props.hideLabel ? 'visually-hidden' : styles.label} htmlFor={id}>
        {props.label}
      </label>
      <select
        id={id}
        name={props.name}
        className={`${styles.select} ${props.isSmall ? styles.small : ''}`}
        value={props.value}
        disabled={props.isDisabled}
        aria-invalid={props.error ? true : undefined}
        aria-describedby={describedBy}
        onChange={(event) => props.onChange(event.target.value)}
      >
        {props.options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
      {props.error && (
        <span id={errorId} className={styles.error}>
          {props.error}
        </span>
      )}
      {props.description && (
        <span id={descriptionId} className={styles.description}>
          {props.description}
        </span>
      )}
    </div>
  );
}
