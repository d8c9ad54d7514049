import { readFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { GIB } from './config';
import { median } from './report';

/** The host in one line: numbers from a 2-core VM and a 16-core workstation are not comparable. */
export function describeMachine(): string {
  return `${cpus().length} CPU(s) (${cpus()[0]?.model.trim() ?? '?'}), ${Math.round(totalmem() / GIB)} GiB RAM, Linux ${release()}`;
}

/**
 * Samples the 1-minute load average while the bench runs, so the table says by itself whether
 * the machine was busy with something else (a test suite beside the bench makes every number
 * noisier). The bench's own tools and radosgw count too: a load near the CPU count is expected.
 */
export class LoadSampler {
  private readonly samples: number[] = [];
  private readonly timer: NodeJS.Timeout;

  constructor(intervalMs = 5000) {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
    // Never what keeps the bench alive.
    this.timer.unref();
  }

  stop(): string {
    clearInterval(this.timer);
    this.sample();
    if (this.samples.length === 0) return 'load average not available';
    const fmt = (n: number) => n.toFixed(1);
    return `1-minute load average during the run: median ${fmt(median(this.samples))}, max ${fmt(Math.max(...this.samples))} (on ${cpus().length} CPUs)`;
  }

  private sample(): void {
    try {
      const first = readFileSync('/proc/loadavg', 'utf8').split(' ')[0];
      if (first) this.samples.push(Number(first));
    } catch {
      // Not Linux: nothing to sample.
    }
  }
}
