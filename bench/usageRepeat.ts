import { readFileSync } from 'node:fs';
import { Engine } from '../src/main/core/engine';

/**
 * Whether Quire's memory follows the number of objects it has listed: one process (the engine
 * from source, through tsx) scans the same bucket SCANS times, as `quire usage --refresh` does,
 * and after each scan prints one JSON line: the process's peak RSS so far (VmHWM), and the heap
 * and ArrayBuffers still alive after a full garbage collection (run with --expose-gc). A peak
 * that stops rising after the first scan while four times the objects go through says the
 * memory is bounded; the first scan's peak is how much garbage V8 lets pile up before
 * collecting, not what the scan keeps.
 *
 *   node --expose-gc --import tsx bench/usageRepeat.ts QUIRE_HOME SCANS
 * (QUIRE_HOME already connected to the bucket as its default; the secret from QUIRE_SECRET_ACCESS_KEY)
 */
async function main(): Promise<void> {
  const [dataDir, scansText] = process.argv.slice(2);
  const scans = Number(scansText);
  if (!dataDir || !Number.isInteger(scans) || scans < 1) throw new Error('usage: usageRepeat QUIRE_HOME SCANS');
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  // The pacer raised as the CLI's --requests-per-second 10000 does for the bench's local server.
  const engine = Engine.open({ dataDir, settings: { requestsPerSecond: 10_000 } });
  try {
    for (let scan = 1; scan <= scans; scan += 1) {
      const started = performance.now();
      const report = await engine.scanUsage(undefined, true);
      const seconds = (performance.now() - started) / 1000;
      if (report.scan?.state !== 'done') throw new Error(`scan ${scan} ended "${report.scan?.state}": ${report.scan?.error ?? ''}`);
      const peakRssBytes = Number(/VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? NaN) * 1024;
      gc();
      const alive = process.memoryUsage();
      process.stdout.write(`${JSON.stringify({ scan, objects: report.totals.objects, bytes: report.totals.bytes, seconds, peakRssBytes, heapUsedBytes: alive.heapUsed, arrayBuffersBytes: alive.arrayBuffers })}\n`);
    }
  } finally {
    await engine.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`usageRepeat: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
