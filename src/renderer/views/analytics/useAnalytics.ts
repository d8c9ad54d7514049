import { useCallback, useEffect, useRef, useState } from 'react';
import type { AnalyticsInput, AnalyticsReport } from '../../../shared/analytics';
import { call, messageOf, onReconnect } from '../../api/appApi';
import { useUploads } from '../../state/uploads';

/**
 * The report for the chosen range, connection and bar width, asked again when any of them
 * changes and when an upload ends (verified or failed), so the page follows the queue.
 */
export function useAnalytics(input: AnalyticsInput): { report: AnalyticsReport | null; error: string | null; loading: boolean } {
  const [report, setReport] = useState<AnalyticsReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const ended = useUploads((s) => s.counts.verified + s.counts.failed + s.counts.cancelled);
  const request = useRef(0);
  const { since, until, connection, bucket } = input;

  const load = useCallback(async () => {
    const mine = ++request.current;
    setLoading(true);
    try {
      const next = await call('stats.get', { since, until, connection, bucket });
      if (mine !== request.current) return;
      setReport(next);
      setError(null);
    } catch (e) {
      if (mine === request.current) setError(messageOf(e));
    } finally {
      if (mine === request.current) setLoading(false);
    }
  }, [since, until, connection, bucket]);

  // An upload ending in a burst (a folder verified file after file) asks once it settles.
  useEffect(() => {
    const timer = setTimeout(() => void load(), 150);
    return () => clearTimeout(timer);
  }, [load, ended]);

  useEffect(() => onReconnect(() => void load()), [load]);

  return { report, error, loading };
}
