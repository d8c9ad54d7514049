import type { UploadSummary } from '../../../shared/upload';
import type { UploadStatus } from '../../../shared/uploadStatus';
import type { StatusCounts } from '../../state/uploads';

/** The status chips above the queue: each filters the list to the statuses it names. */
export const queueFilters = [
  { id: 'all', label: 'All', statuses: null },
  { id: 'active', label: 'Uploading', statuses: ['preparing', 'uploading', 'completing'] },
  { id: 'queued', label: 'Queued', statuses: ['queued'] },
  { id: 'waiting', label: 'Waiting', statuses: ['waiting'] },
  { id: 'paused', label: 'Paused', statuses: ['paused'] },
  { id: 'failed', label: 'Failed', statuses: ['failed'] },
  { id: 'verified', label: 'Verified', statuses: ['verified'] },
  { id: 'cancelled', label: 'Cancelled', statuses: ['cancelled'] },
] as const satisfies readonly { id: string; label: string; statuses: readonly UploadStatus[] | null }[];

export type QueueFilterId = (typeof queueFilters)[number]['id'];

export function filterOf(id: QueueFilterId): (typeof queueFilters)[number] {
  return queueFilters.find((f) => f.id === id)!;
}

export function countFor(id: QueueFilterId, counts: StatusCounts, all: number): number {
  const statuses = filterOf(id).statuses;
  if (!statuses) return all;
  return statuses.reduce((sum, status) => sum + counts[status], 0);
}

/** The ids the chosen chip shows, in the queue's order. */
export function filterIds(ids: string[], byId: Record<string, UploadSummary>, id: QueueFilterId): string[] {
  const statuses = filterOf(id).statuses as readonly UploadStatus[] | null;
  if (!statuses) return ids;
  const wanted = new Set(statuses);
  return ids.filter((uploadId) => wanted.has(byId[uploadId]!.status));
}

/** Which row actions an upload in this status can take. */
export function actionsFor(status: UploadStatus): { pause: boolean; resume: boolean; retry: boolean; cancel: boolean } {
  const running = status === 'queued' || status === 'preparing' || status === 'uploading' || status === 'completing' || status === 'waiting';
  return { pause: running, resume: status === 'paused', retry: status === 'failed', cancel: running || status === 'paused' || status === 'failed' };
}
