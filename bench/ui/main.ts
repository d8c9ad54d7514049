/// <reference lib="dom" />
// The functions passed to page.evaluate run in the page: they need the DOM types.
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { toUploadSummary } from '../../src/main/core/upload/uploadSummary';
import { startWebHost } from '../../src/main/web/webHost';
import type { UploadSummary } from '../../src/shared/upload';
import { seedLedger } from './seed';

/**
 * `npm run bench:ui`: the queue view with 10,000 uploads in Debian's Chromium, while 100 of them
 * receive progress events at the engine's own rate (ten a second each), scrolled from top to
 * bottom. Prints the longest main-thread task, script time per second and the page's memory.
 * Goal: no task over 50 ms, under 200 MB. A program that prints figures, not a test.
 */

const ROWS = Number(process.env.BENCH_UI_ROWS ?? 10_000);
const LIVE_ROWS = Number(process.env.BENCH_UI_LIVE_ROWS ?? 100);
/** The engine sends at most ten events a second per upload (UPLOAD_EVENT_INTERVAL_MS). */
const EVENT_INTERVAL_MS = 100;
const SCROLL_MS = Number(process.env.BENCH_UI_SCROLL_MS ?? 20_000);
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/lib/chromium/chromium';
const MB = 1024 * 1024;

interface Metrics {
  [name: string]: number;
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'quire-bench-ui-'));
  const { engine, ids } = seedLedger(dataDir, ROWS);
  const host = await startWebHost({ engine, rendererDir: join(import.meta.dirname, '..', '..', 'out', 'renderer'), port: 0 });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', '--enable-precise-memory-info'],
  });
  let events: ReturnType<typeof setInterval> | null = null;
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
    // tsx (esbuild, keepNames) wraps named functions in a `__name` helper that the page lacks.
    await page.addInitScript('globalThis.__name = (fn) => fn;');
    // Long tasks from the first moment, each with when it started, to split load from scrolling.
    await page.addInitScript(() => {
      const tasks: { start: number; duration: number }[] = [];
      (window as unknown as { __longTasks: typeof tasks }).__longTasks = tasks;
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) tasks.push({ start: entry.startTime, duration: entry.duration });
      }).observe({ type: 'longtask', buffered: true });
    });
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    const metrics = async (): Promise<Metrics> => Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));

    const loadStart = Date.now();
    await page.goto(host.url);
    await page.evaluate(() => (window.location.hash = '#/queue'));
    await page.locator('[data-testid="chip-all"]').filter({ hasText: String(ROWS) }).waitFor({ timeout: 60_000 });
    await page.locator('[data-testid="queue-row"]').first().waitFor();
    const loadMs = Date.now() - loadStart;
    await page.waitForTimeout(1000);
    const loaded = await metrics();
    const loadTasks = await page.evaluate(() => (window as unknown as { __longTasks: { start: number; duration: number }[] }).__longTasks.slice());

    // 100 uploads spread through the list, so the scroll passes live rows all the way down.
    const live: UploadSummary[] = [];
    for (let i = 0; i < LIVE_ROWS; i++) live.push({ ...toUploadSummary(engine.uploads.get(ids[Math.floor((i * ROWS) / LIVE_ROWS)]!)!), status: 'uploading' });
    let sent = 0;
    events = setInterval(() => {
      for (const upload of live) {
        upload.bytesDone = Math.min(upload.size, upload.bytesDone + Math.ceil(upload.size / 600));
        engine.events.emit('upload.changed', { upload: { ...upload } });
        sent += 1;
      }
    }, EVENT_INTERVAL_MS);
    await page.waitForTimeout(2000);

    const scrollFrom = await page.evaluate(() => performance.now());
    const before = await metrics();
    const wallStart = Date.now();
    const scroll = await page.evaluate(async (durationMs) => {
      const list = document.querySelector<HTMLElement>('[data-testid="queue-list"]')!;
      const max = list.scrollHeight - list.clientHeight;
      let frames = 0;
      let longestFrame = 0;
      let last = performance.now();
      const start = last;
      await new Promise<void>((resolve) => {
        const step = (now: number) => {
          frames += 1;
          longestFrame = Math.max(longestFrame, now - last);
          last = now;
          const t = Math.min(1, (now - start) / durationMs);
          list.scrollTop = max * t;
          if (t < 1) requestAnimationFrame(step);
          else resolve();
        };
        requestAnimationFrame(step);
      });
      await new Promise((r) => setTimeout(r, 300));
      const rows = [...document.querySelectorAll<HTMLElement>('[data-testid="queue-row"]')];
      const lastRow = rows.map((r) => Number(r.getAttribute('aria-posinset'))).reduce((a, b) => Math.max(a, b), 0);
      return { frames, longestFrame, max, scrollTop: list.scrollTop, lastRow, domRows: rows.length, seconds: (performance.now() - start) / 1000 };
    }, SCROLL_MS);
    const wallSeconds = (Date.now() - wallStart) / 1000;
    const after = await metrics();
    clearInterval(events);
    events = null;

    const scrollTasks = await page.evaluate((from) => (window as unknown as { __longTasks: { start: number; duration: number }[] }).__longTasks.filter((t) => t.start >= from), scrollFrom);
    const memory = await page.evaluate(() => {
      const m = (performance as unknown as { memory?: { usedJSHeapSize: number; totalJSHeapSize: number } }).memory;
      return { used: m?.usedJSHeapSize ?? 0, total: m?.totalJSHeapSize ?? 0, nodes: document.getElementsByTagName('*').length };
    });
    const longest = (tasks: { duration: number }[]) => tasks.reduce((max, t) => Math.max(max, t.duration), 0);
    const over50 = (tasks: { duration: number }[]) => tasks.filter((t) => t.duration > 50).length;

    const rows: [string, string, string][] = [
      ['rows in the queue', String(ROWS), ''],
      ['rows receiving events', `${LIVE_ROWS} at ${1000 / EVENT_INTERVAL_MS}/s each (${sent} events)`, ''],
      ['first load to rows shown', `${loadMs} ms`, ''],
      ['longest task while loading', `${longest(loadTasks).toFixed(0)} ms`, `${over50(loadTasks)} task(s) over 50 ms`],
      ['scrolled', `${(scroll.scrollTop / 1000).toFixed(0)}k of ${(scroll.max / 1000).toFixed(0)}k px in ${scroll.seconds.toFixed(1)} s`, `last row shown: ${scroll.lastRow}, ${scroll.domRows} rows in the DOM`],
      ['frames while scrolling', `${scroll.frames} (${(scroll.frames / scroll.seconds).toFixed(0)}/s)`, `longest frame ${scroll.longestFrame.toFixed(0)} ms`],
      ['longest task while scrolling', `${longest(scrollTasks).toFixed(0)} ms`, `${over50(scrollTasks)} task(s) over 50 ms (goal: none)`],
      ['script time per second', `${((1000 * (after.ScriptDuration! - before.ScriptDuration!)) / wallSeconds).toFixed(0)} ms/s`, `all tasks: ${((1000 * (after.TaskDuration! - before.TaskDuration!)) / wallSeconds).toFixed(0)} ms/s`],
      ['JS heap used (CDP)', `${(after.JSHeapUsedSize! / MB).toFixed(1)} MB`, `after load ${(loaded.JSHeapUsedSize! / MB).toFixed(1)} MB; total ${(after.JSHeapTotalSize! / MB).toFixed(1)} MB (goal: under 200 MB)`],
      ['performance.memory', `${(memory.used / MB).toFixed(1)} MB used`, `${(memory.total / MB).toFixed(1)} MB total, ${memory.nodes} DOM elements`],
      ['page errors', String(errors.length), errors.slice(0, 3).join(' | ')],
      // Other work on the machine stretches tasks: read the figures with this beside them.
      ['machine load (1 min)', `${loadavg()[0]!.toFixed(2)} on ${cpus().length} cores`, ''],
    ];
    printTable(rows);
    const ok = longest(scrollTasks) <= 50 && after.JSHeapUsedSize! < 200 * MB && scroll.lastRow === ROWS && errors.length === 0;
    console.log(ok ? '\nGoal met: no task over 50 ms while scrolling, heap under 200 MB, every row reached.' : '\nGoal NOT met (see the table).');
  } finally {
    if (events) clearInterval(events);
    await browser.close();
    await host.close();
    await engine.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function printTable(rows: [string, string, string][]): void {
  const widths = [0, 1].map((col) => Math.max(...rows.map((r) => r[col]!.length)));
  const line = (r: [string, string, string]) => `${r[0].padEnd(widths[0]!)}  ${r[1].padEnd(widths[1]!)}  ${r[2]}`.trimEnd();
  console.log(line(['measure', 'value', 'notes']));
  console.log(line(['-'.repeat(widths[0]!) as string, '-'.repeat(widths[1]!), '-----'] as [string, string, string]));
  for (const r of rows) console.log(line(r));
}

await main();
