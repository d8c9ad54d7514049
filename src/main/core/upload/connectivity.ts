/**
 * Which connections are offline, and when each is probed next. An upload that fails because the
 * endpoint cannot be reached is not retried on its own timer: one cheap probe per connection
 * stands for all its uploads, backing off from 1 s to a cap, and the moment the endpoint answers
 * every upload waiting on it goes again. Offline for hours costs one small request per interval.
 */
interface OfflineState {
  probes: number;
  nextProbeAt: number;
}

export class Connectivity {
  private readonly offline = new Map<string, OfflineState>();
  private readonly probing = new Set<string>();

  constructor(private readonly maxProbeIntervalMs: number) {}

  isOffline(connectionId: string): boolean {
    return this.offline.has(connectionId);
  }

  offlineIds(): string[] {
    return [...this.offline.keys()];
  }

  /** Every offline connection and when it is probed next. */
  offlineSchedule(): { connectionId: string; nextProbeAt: number }[] {
    return [...this.offline].map(([connectionId, state]) => ({ connectionId, nextProbeAt: state.nextProbeAt }));
  }

  /** Returns when the endpoint will be probed next. Already offline: the schedule stands. */
  markOffline(connectionId: string, now = Date.now()): number {
    const known = this.offline.get(connectionId);
    if (known) return known.nextProbeAt;
    const state = { probes: 0, nextProbeAt: now + this.delay(0) };
    this.offline.set(connectionId, state);
    return state.nextProbeAt;
  }

  /** Connections whose probe is due and not already running; each is marked as being probed. */
  takeDueProbes(now = Date.now()): string[] {
    const due: string[] = [];
    for (const [id, state] of this.offline) {
      if (state.nextProbeAt <= now && !this.probing.has(id)) {
        this.probing.add(id);
        due.push(id);
      }
    }
    return due;
  }

  /**
   * The system says the network is back (a hint: the probe decides): every offline connection is
   * probed at once, and backs off from the start again if it is still down.
   */
  probeAllNow(now = Date.now()): void {
    for (const state of this.offline.values()) {
      state.nextProbeAt = now;
      state.probes = 0;
    }
  }

  /** A probe given up before its answer (the queue stopped): due again at once. */
  abandonProbe(connectionId: string): void {
    this.probing.delete(connectionId);
  }

  /** A probe's outcome: null once back online, else when to probe next. */
  probed(connectionId: string, answered: boolean, now = Date.now()): number | null {
    this.probing.delete(connectionId);
    const state = this.offline.get(connectionId);
    if (!state) return null;
    if (answered) {
      this.offline.delete(connectionId);
      return null;
    }
    state.probes += 1;
    state.nextProbeAt = now + this.delay(state.probes);
    return state.nextProbeAt;
  }

  private delay(probes: number): number {
    return Math.min(this.maxProbeIntervalMs, 1000 * 2 ** probes);
  }
}
