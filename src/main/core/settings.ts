import type { QueueSettings } from './upload/uploadQueue';
import { DEFAULT_MULTIPART_THRESHOLD, DEFAULT_PART_SIZE } from './upload/partPlan';

/**
 * Defaults, each with where it comes from. Tests and benchmarks override them through the
 * engine's options; the settings table will hold the author's own choices.
 */
export const defaultQueueSettings: QueueSettings = {
  multipartThreshold: DEFAULT_MULTIPART_THRESHOLD, // platform specs: 10 MiB
  partSize: DEFAULT_PART_SIZE, // platform specs: 10 MiB, grown to stay under 10,000 parts
  partsPerObject: 10, // Spaces: at most 10 concurrent PUTs to one object
  filesAtOnce: 3, // platform specs: bulk upload of 3 files at once
  requestBudget: 8,
  maxAttempts: 4,
  maxWaits: 12,
  // docs/storage-facts.md: older Spaces buckets allow 300 writes+lists/s, newer accounts 1,500 requests/s
  // per IP. The stricter figure holds for every bucket; a SlowDown lowers it further.
  requestsPerSecond: 300,
  bandwidthLimit: 0,
  // Long enough for a slow uplink's pause, short enough that a dead path is noticed in a minute.
  requestIdleTimeoutMs: 60_000,
  maxProbeIntervalMs: 30_000,
};
