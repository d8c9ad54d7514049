import { useCallback, useEffect, useState } from 'react';
import { call, messageOf } from '../../api/appApi';
import { announce } from '../../components/Announcer';

/**
 * A cleanup list of the bucket (unfinished uploads, old temporary files): loaded for the
 * connection, looked at again on demand, and an action (abort, remove) that says what it did,
 * tells the page, and shows the list as it is afterwards.
 */
export function useCleanupList<T>(list: () => Promise<T>, connection: string) {
  const [report, setReport] = useState<T | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<string | null>(null);

  const load = useCallback(async () => {
    setLoading(true);
    try {
      setReport(await list());
      setError(null);
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setLoading(false);
    }
    // `list` is made anew at each render, the same for one connection: the connection is what it depends on.
  }, [connection]);

  useEffect(() => {
    setReport(null);
    setOutcome(null);
    void load();
  }, [load]);

  /** Runs the action (as `list`, one per connection); its result's words are said, then the list is read again. */
  const act = useCallback(
    async (action: () => Promise<string>, after: () => void) => {
      setLoading(true);
      try {
        const text = await action();
        setOutcome(text);
        announce(text);
        after();
        setReport(await list());
        setError(null);
      } catch (e) {
        setError(messageOf(e));
      } finally {
        setLoading(false);
      }
    },
    [connection],
  );

  return { report, loading, error, outcome, load, act };
}

