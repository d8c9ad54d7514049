import { z } from 'zod';

/**
 * The page's CSP allows no eval and no inline styles. Two libraries would try both on their
 * own; this module is imported first in main.tsx, before any schema or component exists.
 */

// zod probes `new Function` when it builds an object schema (a CSP violation report each time)
// before falling back to what jitless mode does anyway.
z.config({ jitless: true });

// react-aria's press handling injects a <style> for touch-action unless an element with this id
// exists; theme.css carries that rule, and this marks it present.
if (!document.getElementById('react-aria-pressable-style')) {
  const marker = document.createElement('meta');
  marker.id = 'react-aria-pressable-style';
  document.head.append(marker);
}
