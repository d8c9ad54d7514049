import type { QueueState } from '../../shared/upload';
import type { TransportState } from '../state/transport';
import { untilText } from './useNow';

export type Tone = 'ok' | 'busy' | 'warning' | 'danger' | 'muted';

/** The status line's one sentence about the engine and the queue, and how it is shown. */
export function queueSentence(transport: TransportState, queue: QueueState | null, now: number): { text: string; tone: Tone } {
  if (transport.status === 'refused') {
    return { text: 'Quire was started again and does not know this page: open the new address quire serve printed (it ends in ?token=…). This page reconnects once you have.', tone: 'danger' };
  }
  if (transport.status === 'reconnecting') {
    const next = transport.nextAttemptAt ? `, trying again in ${untilText(transport.nextAttemptAt, now)}` : '';
    return { text: `Quire is not reachable${next}. Is quire serve still running? If it was started again, open the address it printed.`, tone: 'danger' };
  }
  if (transport.status === 'connecting' || !queue) return { text: 'Connecting to Quire…', tone: 'muted' };
  if (queue.state === 'halted') {
    return { text: `Halted: ${queue.halted?.message ?? 'the ledger cannot be written'}. Nothing is sent until this is fixed; Quire tries again by itself.`, tone: 'danger' };
  }
  const first = queue.offline[0];
  if (first) {
    const more = queue.offline.length > 1 ? ` (and ${queue.offline.length - 1} more)` : '';
    return { text: `Waiting offline for ${first.endpoint}${more}, next try in ${untilText(first.nextProbeAt, now)}`, tone: 'warning' };
  }
  switch (queue.state) {
    case 'paused':
      return { text: 'Paused: nothing is sent until you resume', tone: 'warning' };
    case 'elsewhere':
      return { text: 'Another Quire drives the queue (the app or quire run --follow); this window follows it', tone: 'muted' };
    case 'stopped':
      return { text: 'The queue is not running', tone: 'muted' };
    case 'waiting':
      return { text: `Online · ${queue.pending} waiting to try again`, tone: 'warning' };
    case 'running':
      return { text: `Online · uploading ${queue.active}`, tone: 'busy' };
    case 'idle':
      return { text: queue.pending > 0 ? `Online · ${queue.pending} queued` : 'Online · idle', tone: 'ok' };
  }
}
