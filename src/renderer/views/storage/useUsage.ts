import { useCallback, useEffect, useRef, useState } from 'react';
import type { CommandRawInput } from '../../../shared/contract';
import type { UsageReport } from '../../../shared/usage';
import { api, call, messageOf, onReconnect } from '../../api/appApi';
import { useUploads } from '../../state/uploads';

export interface UsageState {
  report: UsageReport | null;
  error: string | null;
  /** A command under way (scan, cancel, quota): its buttons wait. */
  busy: boolean;
  /**
   * A scan was asked for and has not been heard from yet: the engine answers before the scan has
   * written its first line, so until its first event the page says it is starting.
   */
  starting: boolean;
  /** Asks the engine again (after a cleanup, or while another process scans). */
  reload(): void;
  scan(): Promise<void>;
  cancelScan(): Promise<void>;
  setQuota(values: Omit<CommandRawInput<'usage.setQuota'>, 'connection'>): Promise<boolean>;
}

/**
 * One connection's usage, kept current: asked when the connection or the assumed egress changes,
 * when an upload is verified (the engine adds Quire's own uploads to the snapshot), after a
 * reconnect, and followed through `usage.changed` while a scan runs. The event's cost assumes no
 * egress, so the report is asked again with the author's egress once a scan has ended.
 */
export function useUsage(connection: string | undefined, egressGiB: number): UsageState {
  const [report, setReport] = useState<UsageReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [starting, setStarting] = useState(false);
  const verified = useUploads((s) => s.counts.verified);
  const request = useRef(0);
  /** Counts usage.changed events: an answer sent before an event that came first is older than it. */
  const events = useRef(0);
  const current = useRef({ connection, egressGiB });
  current.current = { connection, egressGiB };

  const load = useCallback(async () => {
    const { connection: name, egressGiB: egress } = current.current;
    if (!name) return;
    const mine = ++request.current;
    try {
      const next = await call('usage.get', { connection: name, egressGiB: egress });
      if (mine !== request.current) return;
      setReport(next);
      setError(null);
    } catch (e) {
      if (mine === request.current) setError(messageOf(e));
    }
  }, []);

  // A new connection starts blank rather than showing the last one's figures under its name.
  useEffect(() => {
    setReport(null);
    setError(null);
    setStarting(false);
  }, [connection]);

  // Typing the egress asks once the author pauses.
  useEffect(() => {
    const timer = setTimeout(() => void load(), 200);
    return () => clearTimeout(timer);
  }, [connection, egressGiB, verified, load]);

  useEffect(() => onReconnect(() => void load()), [load]);
  const reloadNow = useCallback(() => void load(), [load]);

  useEffect(
    () =>
      api.on('usage.changed', (event) => {
        if (event.connection !== current.current.connection) return;
        // The event's figures are the engine's newest; only its cost lacks the assumed egress.
        request.current += 1;
        events.current += 1;
        setStarting(false);
        setReport((shown) => ({ ...event, cost: shown && event.scan?.state === 'running' ? shown.cost : event.cost }));
        if (event.scan?.state !== 'running') void load();
      }),
    [load],
  );

  const run = useCallback(async (action: () => Promise<UsageReport>) => {
    setBusy(true);
    const eventsBefore = events.current;
    try {
      const next = await action();
      // The engine may send the scan's first event before its answer to the call that started it.
      const overtaken = events.current !== eventsBefore;
      if (next.connection === current.current.connection && !overtaken) setReport((shown) => ({ ...next, cost: shown && current.current.egressGiB !== next.cost.egressGiB ? shown.cost : next.cost }));
      setError(null);
      return true;
    } catch (e) {
      setError(messageOf(e));
      return false;
    } finally {
      setBusy(false);
    }
  }, []);

  return {
    report,
    error,
    busy,
    starting,
    reload: reloadNow,
    scan: async () => {
      if (!connection) return;
      setStarting(true);
      const asked = await run(async () => {
        const next = await call('usage.scan', { connection });
        if (next.scan?.state === 'running') setStarting(false);
        return next;
      });
      if (!asked) setStarting(false);
    },
    cancelScan: async () => {
      if (connection) await run(() => call('usage.cancelScan', { connection }));
    },
    setQuota: async (values) => {
      if (!connection) return false;
      const done = await run(() => call('usage.setQuota', { connection, ...values }));
      // The cost with the new prices, at the author's egress.
      if (done) void load();
      return done;
    },
  };
}
