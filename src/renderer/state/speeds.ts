/**
 * Speed of one upload from the bytes it reported over the last few seconds: a moving window, so a
 * part that took long does not freeze the figure and one quick part does not make it leap.
 * Plain data kept outside React; the uploads store publishes the figures it computes.
 */
export const SPEED_WINDOW_MS = 5_000;
/** Below this span of samples a figure would be noise. */
const MIN_SPAN_MS = 400;

interface Sample {
  at: number;
  bytes: number;
}

export class SpeedMeter {
  private readonly samples = new Map<string, Sample[]>();

  /** Records the bytes an upload has done now; call for every event of an upload that is sending. */
  record(id: string, bytes: number, at: number): void {
    let list = this.samples.get(id);
    if (!list) this.samples.set(id, (list = []));
    const last = list[list.length - 1];
    // Fewer bytes than before: the upload started again (a changed file, a lost server upload).
    if (last && bytes < last.bytes) list.length = 0;
    list.push({ at, bytes });
  }

  forget(id: string): void {
    this.samples.delete(id);
  }

  /** Bytes per second over the window ending now, or null when there is too little to say. */
  speedOf(id: string, now: number): number | null {
    const list = this.samples.get(id);
    if (!list) return null;
    while (list.length > 1 && list[0]!.at < now - SPEED_WINDOW_MS) list.shift();
    const first = list[0]!;
    const last = list[list.length - 1]!;
    // Nothing heard for a whole window: it is stalled, not sending at the old pace.
    if (last.at < now - SPEED_WINDOW_MS) return 0;
    const span = last.at - first.at;
    if (span < MIN_SPAN_MS) return null;
    return ((last.bytes - first.bytes) * 1000) / span;
  }

  ids(): IterableIterator<string> {
    return this.samples.keys();
  }
}

/** Seconds until done at this speed, or null when it cannot be said. */
export function etaSeconds(size: number, bytesDone: number, speed: number | null | undefined): number | null {
  if (!speed || speed <= 0) return null;
  return Math.max(0, (size - bytesDone) / speed);
}
