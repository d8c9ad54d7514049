import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { QueueAction } from './actions';
import { QueueRow } from './QueueRow';
import styles from './QueueView.module.css';

/** Row heights in CSS pixels: one per layout, fixed so the virtualizer never measures a row. */
const WIDE_ROW = 64;
const NARROW_ROW = 108;
/** Below this list width the row wraps to three lines (a narrow window, or 200% zoom). */
const NARROW_BELOW_PX = 900;

/**
 * The queue's rows, virtualized with a fixed row height: only what is on screen (plus a few)
 * exists in the DOM, so 10,000 uploads scroll as smoothly as ten.
 */
export function QueueList({ ids, detailsId, onAction, onDetails }: { ids: string[]; detailsId: string | null; onAction: (action: QueueAction, id: string) => void; onDetails: (id: string) => void }) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const [narrow, setNarrow] = useState(false);
  const rowHeight = narrow ? NARROW_ROW : WIDE_ROW;
  const idsRef = useRef(ids);
  idsRef.current = ids;
  const visibleIds = useCallback(() => idsRef.current, []);

  useLayoutEffect(() => {
    const element = scrollRef.current;
    if (!element) return;
    const observer = new ResizeObserver(([entry]) => setNarrow((entry?.contentRect.width ?? 1000) < NARROW_BELOW_PX));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  const virtualizer = useVirtualizer({
    count: ids.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => rowHeight,
    getItemKey: (index) => ids[index]!,
    overscan: 6,
  });

  useEffect(() => {
    virtualizer.measure();
  }, [rowHeight, virtualizer]);

  return (
    <div ref={scrollRef} className={`${styles.scroller} ${narrow ? styles.narrow : ''}`} tabIndex={0} role="region" aria-label="Upload list (scrolls)" data-testid="queue-list">
      <div role="list" aria-label="Uploads" className={styles.canvas} style={{ height: virtualizer.getTotalSize() }}>
        {virtualizer.getVirtualItems().map((item) => (
          <QueueRow
            key={item.key}
            id={ids[item.index]!}
            index={item.index}
            setSize={ids.length}
            top={item.start}
            height={rowHeight}
            detailsOpen={detailsId === ids[item.index]}
            visibleIds={visibleIds}
            onAction={onAction}
            onDetails={onDetails}
          />
        ))}
      </div>
    </div>
  );
}
