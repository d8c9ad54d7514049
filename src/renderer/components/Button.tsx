import { Button as AriaButton, type ButtonProps as AriaButtonProps } from 'react-aria-components';
import styles from './Button.module.css';

export interface ButtonProps extends Omit<AriaButtonProps, 'className'> {
  variant?: 'primary' | 'secondary' | 'danger' | 'quiet';
  size?: 'normal' | 'small';
  className?: string;
}

/** react-aria's Button (press, keyboard and focus handled alike everywhere) in Quire's look. */
export function Button({ variant = 'secondary', size = 'normal', className, ...props }: ButtonProps) {
  const classes = [styles.button, variant !== 'secondary' && styles[variant], size === 'small' && styles.small, className].filter(Boolean).join(' ');
  return <AriaButton {...props} className={classes} />;
}
