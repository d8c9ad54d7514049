import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { basename, join } from 'node:path';
import { FaultProxy } from '../test/support/faultProxy';
import type { BenchBucket } from './bucket';
import type { BenchConfig } from './config';
import { ensureRandomFile } from './fixtures';
import { startChild } from './measure';
import { openQuire } from './tools';

export interface CapResult {
  /** Null when Quire uploaded the whole file and the rate was measured; else why not. */
  failure: string | null;
  capBytesPerSecond: number;
  /** File bytes over the time from the first to the last of them, as the proxy received them. */
  measuredBytesPerSecond: number;
  /** The slowest and fastest 10-second stretches of the run: a cap held on average but not throughout shows here. */
  slowestWindow: number;
  fastestWindow: number;
  seconds: number;
  bytes: number;
}

/** How often the proxy's byte count is read: fine enough that the ends of the run cost < 0.1%. */
const SAMPLE_MS = 50;
const WINDOW_MS = 10_000;

/**
 * "The bandwidth cap holds within 10%": Quire uploads one file of cap × BENCH_CAP_SECONDS bytes
 * with `--limit-rate` set to the cap, through the counting proxy (test/support/faultProxy.ts, in
 * this process, passing every request on). The file's bytes are counted on the wire as they
 * arrive, never taken from Quire's own word; the figure is their rate from the first byte to the
 * last, beside the slowest and fastest 10-second stretch.
 */
export async function measureCap(config: BenchConfig, bucket: BenchBucket, stateRoot: string): Promise<CapResult> {
  const cap = config.cap.bytesPerSecond;
  const size = cap * config.cap.seconds;
  const file = await ensureRandomFile(join(config.workDir, 'data'), size, 'cap');
  const proxy = new FaultProxy(config.s3.endpoint);
  await proxy.start();
  const prefix = 'cap';
  const result = (failure: string | null, rates: Partial<CapResult> = {}): CapResult => ({
    failure,
    capBytesPerSecond: cap,
    measuredBytesPerSecond: NaN,
    slowestWindow: NaN,
    fastestWindow: NaN,
    seconds: NaN,
    bytes: size,
    ...rates,
  });
  try {
    const session = await openQuire(config, proxy.endpoint, bucket.name, join(stateRoot, 'cap'));
    const run = session.invoke(['upload', file, '--to', `${prefix}/`, '--limit-rate', String(cap), '--json']);
    const child = startChild(run.command, run.args, run.env, Math.max(config.timeoutMs, 3 * config.cap.seconds * 1000));
    let finished = false;
    void child.done.then(() => (finished = true));
    const samples: { at: number; bytes: number }[] = [];
    while (!finished) {
      samples.push({ at: performance.now(), bytes: proxy.sentContentBytes() });
      await new Promise((resolve) => setTimeout(resolve, SAMPLE_MS));
    }
    samples.push({ at: performance.now(), bytes: proxy.sentContentBytes() });
    const outcome = await child.done;
    if (outcome.timedOut) return result('timed out');
    if (outcome.exitCode !== 0) return result(`exit ${outcome.exitCode ?? outcome.signal}: ${outcome.stderr.trim().split('\n').at(-1) ?? ''}`);
    const sent = samples.at(-1)!.bytes;
    // Every byte counted once: anything above the file's size was sent twice (a retried part).
    if (sent !== size) return result(`the proxy counted ${sent} file bytes for a file of ${size}: a part was sent again, so the rate is not the cap's alone`);
    const stored = await bucket.sha256Of(`${prefix}/${basename(file)}`).catch(() => null);
    if (stored !== (await sha256OfFile(file))) return result(`uploaded, but the object's bytes are not the file's`);
    // From the first sample that saw bytes to the first that saw them all.
    const first = samples.find((s) => s.bytes > 0)!;
    const last = samples.find((s) => s.bytes === size)!;
    const seconds = (last.at - first.at) / 1000;
    const windows: number[] = [];
    for (const start of samples.filter((s) => s.at >= first.at && s.at + WINDOW_MS <= last.at)) {
      const end = samples.find((s) => s.at >= start.at + WINDOW_MS)!;
      windows.push((end.bytes - start.bytes) / ((end.at - start.at) / 1000));
    }
    return result(null, {
      measuredBytesPerSecond: (last.bytes - first.bytes) / seconds,
      slowestWindow: windows.length ? Math.min(...windows) : NaN,
      fastestWindow: windows.length ? Math.max(...windows) : NaN,
      seconds,
    });
  } catch (error) {
    return result(`could not run: ${(error as Error).message}`);
  } finally {
    await proxy.stop();
    await bucket.empty();
  }
}

async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
