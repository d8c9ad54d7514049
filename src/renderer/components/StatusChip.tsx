import type { ReactNode } from 'react';
import type { Tone } from './statusWords';
import styles from './StatusChip.module.css';

export { statusLabel, toneOf, type Tone } from './statusWords';

export function StatusChip({ tone, children, className }: { tone: Tone; children: ReactNode; className?: string }) {
  return (
    <span className={[styles.chip, tone !== 'neutral' && styles[tone], className].filter(Boolean).join(' ')}>
      <span className={styles.dot} aria-hidden="true" />
      {children}
    </span>
  );
}
