import { create } from 'zustand';

/**
 * The rows the author ticked. A row subscribes to whether it is in the set, so ticking one box
 * re-renders that row and the toolbar, not the list. The anchor is the last row clicked without
 * Shift: Shift+click ticks everything between it and the row clicked.
 */
export const useSelection = create<{ selected: Set<string>; anchor: string | null }>(() => ({ selected: new Set(), anchor: null }));

export function toggleRow(id: string, shift: boolean, visibleIds: string[]): void {
  const { selected, anchor } = useSelection.getState();
  const next = new Set(selected);
  const on = !selected.has(id);
  if (shift && anchor !== null) {
    const from = visibleIds.indexOf(anchor);
    const to = visibleIds.indexOf(id);
    if (from >= 0 && to >= 0) {
      const [start, end] = from < to ? [from, to] : [to, from];
      for (let i = start; i <= end; i++) {
        if (on) next.add(visibleIds[i]!);
        else next.delete(visibleIds[i]!);
      }
      useSelection.setState({ selected: next });
      return;
    }
  }
  if (on) next.add(id);
  else next.delete(id);
  useSelection.setState({ selected: next, anchor: id });
}

export function selectAll(ids: string[]): void {
  useSelection.setState({ selected: new Set(ids), anchor: null });
}

export function clearSelection(): void {
  useSelection.setState({ selected: new Set(), anchor: null });
}
