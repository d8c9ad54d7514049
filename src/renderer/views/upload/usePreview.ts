import { useEffect, useMemo, useState } from 'react';
import { call, messageOf } from '../../api/appApi';
import { mergePreviews, plannedCalls, type Destination, type MergedPreview, type PlannedCall, type Source, type TypeOverrides } from './uploadPlan';

export interface PreviewState {
  /** The calls the shown preview answered: enqueue sends exactly these. */
  calls: PlannedCall[];
  preview: MergedPreview | null;
  loading: boolean;
  error: string | null;
}

/** Typing a folder name asks the engine once the author pauses, not at every key. */
const SETTLE_MS = 250;

/**
 * Asks the engine what an upload of the sources to the destination would do, again whenever
 * either changes. Only the newest answer is kept: an older one arriving late would show keys for
 * settings the author has already changed.
 */
export function usePreview(sources: readonly Source[], destination: Destination, overrides: TypeOverrides, enabled: boolean): PreviewState {
  const calls = useMemo(() => plannedCalls(sources, destination, overrides), [sources, destination, overrides]);
  const [state, setState] = useState<PreviewState>({ calls: [], preview: null, loading: false, error: null });

  useEffect(() => {
    if (!enabled || calls.length === 0) {
      setState({ calls: [], preview: null, loading: false, error: null });
      return;
    }
    let current = true;
    setState((s) => ({ ...s, loading: true, error: null }));
    const timer = setTimeout(async () => {
      try {
        const results = await Promise.all(calls.map(async (planned) => ({ call: planned, preview: await call('uploads.preview', planned.input) })));
        if (current) setState({ calls, preview: mergePreviews(results), loading: false, error: null });
      } catch (error) {
        if (current) setState({ calls: [], preview: null, loading: false, error: messageOf(error) });
      }
    }, SETTLE_MS);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [calls, enabled]);

  return state;
}
