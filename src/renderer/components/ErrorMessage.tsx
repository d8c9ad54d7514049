import styles from './ErrorMessage.module.css';

/** A failure said plainly where it happened, announced once. */
export function ErrorMessage({ children, id }: { children: string | null | undefined; id?: string }) {
  if (!children) return null;
  return (
    <p className={styles.error} role="alert" id={id}>
      {children}
    </p>
  );
}
