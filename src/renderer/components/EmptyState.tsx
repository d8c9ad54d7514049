import type { ReactNode } from 'react';
import styles from './EmptyState.module.css';

/** What a view shows with nothing in it: what to do first, with the way to do it. */
export function EmptyState({ title, children, action }: { title: string; children?: ReactNode; action?: ReactNode }) {
  return (
    <div className={styles.empty}>
      <h2 className={styles.title}>{title}</h2>
      {children && <p className={styles.body}>{children}</p>}
      {action}
    </div>
  );
}
