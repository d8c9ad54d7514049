import { useRef, type KeyboardEvent, type ReactNode } from 'react';
import { navigate, viewTitles, views, type View } from './navigation';
import styles from '../App.module.css';

/**
 * The views as ARIA tabs, written here rather than taken from react-aria: its TabPanel
 * watches every DOM change inside the panel and walks the tree for something focusable, which
 * costs about a tenth of the main thread while the queue's rows scroll by or move. The keyboard
 * is the same: arrows, Home and End move between tabs and show the view (automatic activation).
 */
export const tabId = (view: View) => `tab-${view}`;
export const panelId = (view: View) => `panel-${view}`;

export function ViewTabs({ current, badges }: { current: View; badges?: Partial<Record<View, ReactNode>> }) {
  const refs = useRef(new Map<View, HTMLButtonElement>());

  function onKeyDown(event: KeyboardEvent<HTMLButtonElement>) {
    const index = views.indexOf(current);
    const next =
      event.key === 'ArrowRight' ? views[(index + 1) % views.length] : event.key === 'ArrowLeft' ? views[(index + views.length - 1) % views.length] : event.key === 'Home' ? views[0] : event.key === 'End' ? views[views.length - 1] : null;
    if (!next) return;
    event.preventDefault();
    navigate(next);
    refs.current.get(next)?.focus();
  }

  return (
    <div role="tablist" aria-label="Views" className={styles.tabList}>
      {views.map((view) => (
        <button
          key={view}
          ref={(element) => {
            if (element) refs.current.set(view, element);
            else refs.current.delete(view);
          }}
          type="button"
          role="tab"
          id={tabId(view)}
          aria-selected={view === current}
          aria-controls={panelId(view)}
          tabIndex={view === current ? 0 : -1}
          className={styles.tab}
          data-testid={`nav-${view}`}
          onClick={() => navigate(view)}
          onKeyDown={onKeyDown}
        >
          {viewTitles[view]}
          {badges?.[view]}
        </button>
      ))}
    </div>
  );
}
