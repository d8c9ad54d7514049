import { swatchColor } from './imageWords';
import styles from './ColorSwatch.module.css';

/**
 * A small square of an image's dominant colour, beside what its set saved. Decorative: the text
 * beside it says everything, so it is hidden from screen readers. The colour is set through the
 * CSSOM (React's style prop), which the page's CSP allows where a style attribute would not be.
 */
export function ColorSwatch({ color }: { color: string | null | undefined }) {
  const safe = swatchColor(color);
  if (!safe) return null;
  return <span className={styles.swatch} style={{ backgroundColor: safe }} title={safe} aria-hidden="true" data-testid="set-swatch" data-color={safe} />;
}
