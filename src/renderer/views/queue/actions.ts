import { call } from '../../api/appApi';
import { announce } from '../../components/Announcer';
import { receiveUploadChanged } from '../../state/uploads';

/** `asIs`: an image whose web set could not be made is sent as it is (uploads.asIs). */
export type QueueAction = 'pause' | 'resume' | 'retry' | 'cancel' | 'asIs';
export type Target = { ids: string[] } | { all: true } | { status: ('paused' | 'failed' | 'waiting' | 'queued')[] };

const past: Record<QueueAction, string> = { pause: 'paused', resume: 'resumed', retry: 'queued again', cancel: 'cancelled', asIs: 'queued to go as they are' };
const commandOf = { pause: 'uploads.pause', resume: 'uploads.resume', retry: 'uploads.resume', cancel: 'uploads.cancel', asIs: 'uploads.asIs' } as const;
/**
 * Ids per call: a message to `quire serve` is at most 256 KiB (MAX_MESSAGE_BYTES), and 4,000
 * ids of 36 characters with their quotes are about 160 KB (10,000 would close the socket).
 */
const IDS_PER_CALL = 4_000;

/**
 * Pause, resume, retry or cancel some uploads. The answer carries the changed summaries, which
 * go into the store at once (an event says the same a moment later). Throws the engine's error.
 */
export async function runQueueAction(action: QueueAction, target: Target): Promise<number> {
  const targets: Target[] = 'ids' in target ? chunk(target.ids, IDS_PER_CALL).map((ids) => ({ ids })) : [target];
  let changed = 0;
  for (const t of targets) {
    const summaries = await call(commandOf[action], t);
    for (const upload of summaries) receiveUploadChanged({ upload });
    changed += summaries.length;
  }
  const done = action === 'asIs' && changed === 1 ? 'queued to go as it is' : past[action];
  announce(changed === 0 ? `Nothing to ${action === 'asIs' ? 'upload as it is' : action}` : `${changed} ${changed === 1 ? 'upload' : 'uploads'} ${done}`);
  return changed;
}

function chunk<T>(items: T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}
