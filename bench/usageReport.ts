import { median } from './report';
import { USAGE_TOOLS, type UsageResult, type UsageRun, type UsageTool } from './usage';

const MB = 1e6;
const LABELS: Record<UsageTool, string> = { quire: 'Quire', rclone: 'rclone size', aws: 'aws s3 ls' };
/** Peak RSS counts as flat when the large bucket's is within this share of the small one's (10× the objects). */
const FLAT_RSS = 0.1;

const fixed = (value: number, digits: number) => (Number.isFinite(value) ? value.toFixed(digits) : '—');
const count = (n: number) => n.toLocaleString('en-US');

function ok(result: UsageResult, tool: UsageTool, objects: number): UsageRun[] {
  return result.runs.filter((run) => run.tool === tool && run.objects === objects && run.failure === null);
}

function medianOf(result: UsageResult, tool: UsageTool, objects: number, pick: (run: UsageRun) => number): number {
  return median(ok(result, tool, objects).map(pick));
}

const wall = (run: UsageRun) => run.measurement.wallSeconds;
const rss = (run: UsageRun) => run.measurement.peakRssBytes / MB;
const cpu = (run: UsageRun) => run.measurement.cpuSeconds;

/** The goal, as the issue states it: faster than both rivals, memory flat with the object count. */
export function usageTargets(result: UsageResult): string[] {
  const [large, small] = result.buckets.map((bucket) => bucket.layout.totals.objects) as [number, number];
  const seconds = (tool: UsageTool) => medianOf(result, tool, large, wall);
  const quire = seconds('quire');
  const rivals = (['rclone', 'aws'] as const).map((tool) => ({ tool, seconds: seconds(tool) }));
  const faster = Number.isFinite(quire) && rivals.every((rival) => Number.isFinite(rival.seconds) && quire < rival.seconds);
  const rssLarge = medianOf(result, 'quire', large, rss);
  const rssSmall = medianOf(result, 'quire', small, rss);
  const growth = rssLarge / rssSmall - 1;
  const flat = Number.isFinite(growth) && growth <= FLAT_RSS;
  const failed = result.runs.filter((run) => run.tool === 'quire' && run.failure !== null).length;
  const measured = Number.isFinite(quire) && Number.isFinite(growth);
  const outcome = failed > 0 ? `**missed**: ${failed} of Quire's runs failed their checks (see Failures)` : !measured ? 'not measured' : faster && flat ? '**met**' : `**missed** (${[faster ? '' : 'not faster than both', flat ? '' : 'memory grew'].filter(Boolean).join(', ')})`;
  const repeated = result.repeat.scans;
  const first = repeated[0];
  const last = repeated.at(-1);
  const bounded =
    first && last && repeated.length > 1 && !result.repeat.failure
      ? [
          `  - past the first scan: one process scanning the ${count(large)}-object bucket ${repeated.length} times (${count(large * repeated.length)} objects listed) peaked at ${fixed(first.peakRssBytes / MB, 0)} MB after the first scan ` +
            `and ${fixed(last.peakRssBytes / MB, 0)} MB after the last (${signedPercent(last.peakRssBytes / first.peakRssBytes - 1)}); alive after a full GC: ${fixed(first.heapUsedBytes / MB, 0)} → ${fixed(last.heapUsedBytes / MB, 0)} MB of heap ` +
            `(engine from source through tsx, so its start-up RSS is higher than the built CLI's)`,
        ]
      : [];
  return [
    `- goal: Quire faster than both, memory flat with the object count (${count(large)} objects): Quire ${fixed(quire, 2)} s, ` +
      rivals.map((rival) => `${LABELS[rival.tool]} ${fixed(rival.seconds, 2)} s (${fixed(rival.seconds / quire, 2)}× Quire's)`).join(', ') +
      `; Quire's peak RSS ${fixed(rssLarge, 0)} MB at ${count(large)} objects, ${fixed(rssSmall, 0)} MB at ${count(small)} (${signedPercent(growth)}, flat within ${FLAT_RSS * 100}%) — ${outcome}`,
    ...bounded,
  ];
}

export function usageSection(result: UsageResult): string[] {
  const [largeBucket, smallBucket] = result.buckets as [UsageResult['buckets'][number], UsageResult['buckets'][number]];
  const large = largeBucket.layout.totals.objects;
  const small = smallBucket.layout.totals.objects;
  const row = (label: string, cell: (tool: UsageTool) => string) => `| ${label} | ${USAGE_TOOLS.map(cell).join(' | ')} |`;
  const requests = (tool: UsageTool) => result.requests.find((r) => r.tool === tool);
  const growth = (tool: UsageTool) => signedPercent(medianOf(result, tool, large, rss) / medianOf(result, tool, small, rss) - 1);
  const right = (tool: UsageTool, objects: number) => `${ok(result, tool, objects).length} of ${result.runs.filter((r) => r.tool === tool && r.objects === objects).length}`;
  const lines = [
    `Usage scan: a bucket of ${count(large)} small objects (${fixed(largeBucket.layout.totals.bytes / MB, 1)} MB) spread over the book layout, counted by each tool as a whole ` +
      `(objects and bytes; Quire also per area of the layout), ${result.reps} repetition(s) each in a rotating order, medians; then the same layout at ${count(small)} objects, ` +
      `to show whether memory grows with the object count. Every count is checked against what the bench put there: totals for every tool, and Quire's per-area figures. ` +
      `Wall time is the whole command (start-up, listing, for Quire also its ledger); CPU and peak RSS are the tool's process, from wait4 via GNU time. ` +
      `Requests: one more count of the ${count(large)}-object bucket each, through the bench's counting proxy (not timed).`,
    '',
    `| ${count(large)} objects | ${USAGE_TOOLS.map((tool) => LABELS[tool]).join(' | ')} |`,
    `| --- |${USAGE_TOOLS.map(() => ' ---: ').join('|')}|`,
    row('wall s', (tool) => fixed(medianOf(result, tool, large, wall), 2)),
    row('objects/s', (tool) => fixed(medianOf(result, tool, large, (run) => large / wall(run)), 0)),
    row('CPU s (user+sys)', (tool) => fixed(medianOf(result, tool, large, cpu), 2)),
    row('peak RSS (MB)', (tool) => fixed(medianOf(result, tool, large, rss), 0)),
    row(`${count(small)} objects: wall s`, (tool) => fixed(medianOf(result, tool, small, wall), 2)),
    row(`${count(small)} objects: peak RSS (MB)`, (tool) => fixed(medianOf(result, tool, small, rss), 0)),
    row(`peak RSS, ${count(small)} → ${count(large)} objects`, growth),
    row('list requests (on the wire)', (tool) => fixed(requests(tool)?.lists ?? NaN, 0)),
    row('other requests (on the wire)', (tool) => fixed(requests(tool)?.others ?? NaN, 0)),
    row('counts right', (tool) => `${right(tool, large)}; ${right(tool, small)}`),
    '',
    `The bucket (${largeBucket.name}): every key and size is derived from its index, so the bench knows the figures without asking the server. ` +
      `Sizes from 0 to 16 KiB by area (every 500th object empty); dated areas spread over 24 \`YYYY/MM/\` folders as the platform's storage paths are. ` +
      `Listing work by top-level prefix: ${[...largeBucket.layout.topLevel].map(([prefix, n]) => `${prefix || '(top level)'} ${count(n)}`).join(', ')}.`,
    '',
    `| area (Quire's) | objects | bytes | at ${count(small)} objects |`,
    '| --- | ---: | ---: | ---: |',
    ...[...largeBucket.layout.areas].map(([area, figures]) => {
      const tenth = smallBucket.layout.areas.get(area);
      return `| ${area} | ${count(figures.objects)} | ${count(figures.bytes)} | ${count(tenth?.objects ?? 0)} / ${count(tenth?.bytes ?? 0)} |`;
    }),
    `| **total** | ${count(large)} | ${count(largeBucket.layout.totals.bytes)} | ${count(small)} / ${count(smallBucket.layout.totals.bytes)} |`,
    '',
    `Filled ${result.buckets.map((bucket) => (bucket.fillSeconds === null ? `${bucket.name}: already on this server, reused` : `${bucket.name}: ${count(bucket.objectsPut)} PUTs in ${fixed(bucket.fillSeconds, 0)} s (${fixed(bucket.objectsPut / bucket.fillSeconds, 0)}/s)`)).join('; ')}` +
      ` — once per bench S3 server, by the bench's own SDK client, many PUTs in parallel; a marker object written last (counted among the top-level objects) says the bucket is complete.`,
    '',
    ...USAGE_TOOLS.map((tool) => `- ${LABELS[tool]} (${result.versions.get(tool) ?? '?'}): ${result.commands.get(tool) ?? ''}`),
  ];
  const repeated = result.repeat.scans;
  if (repeated.length > 0) {
    lines.push(
      '',
      `Memory past the first scan: one process (bench/usageRepeat.ts: Quire's engine from source through tsx, \`scanUsage\` as \`quire usage --refresh\` calls it) scans the ${count(large)}-object bucket ${repeated.length} times; ` +
        `after each scan its peak RSS so far (VmHWM), then what is still alive after a full garbage collection.`,
      '',
      `| after scan | ${repeated.map((scan) => scan.scan).join(' | ')} |`,
      `| --- |${repeated.map(() => ' ---: ').join('|')}|`,
      `| objects listed so far | ${repeated.map((scan) => count(scan.scan * scan.objects)).join(' | ')} |`,
      `| scan wall s | ${repeated.map((scan) => fixed(scan.seconds, 2)).join(' | ')} |`,
      `| peak RSS so far (MB) | ${repeated.map((scan) => fixed(scan.peakRssBytes / MB, 0)).join(' | ')} |`,
      `| alive after a full GC: heap (MB) | ${repeated.map((scan) => fixed(scan.heapUsedBytes / MB, 1)).join(' | ')} |`,
      `| alive after a full GC: ArrayBuffers (MB) | ${repeated.map((scan) => fixed(scan.arrayBuffersBytes / MB, 1)).join(' | ')} |`,
    );
  }
  if (result.profileDir) lines.push('', `Quire's scans ran under V8's CPU profiler (profiles in ${result.profileDir}): its figures include the profiler's cost.`);
  return lines;
}

export function usageFailures(result: UsageResult): string[] {
  const lines = result.runs.filter((run) => run.failure).map((run) => `- ${LABELS[run.tool]}, usage of ${count(run.objects)} objects, repetition ${run.rep}: ${run.failure}`);
  for (const r of result.requests) if (r.failure) lines.push(`- ${LABELS[r.tool]}, usage through the counting proxy: ${r.failure}`);
  if (result.repeat.failure) lines.push(`- Quire, the repeated scans in one process: ${result.repeat.failure}`);
  return lines;
}

export function usageRawRuns(result: UsageResult): string[] {
  const lines = ['', '| usage | objects | rep | wall s | objects/s | CPU s | peak RSS MB | counted | status |', '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |'];
  for (const run of result.runs) {
    const m = run.measurement;
    const counted = run.counted ? `${count(run.counted.objects)} / ${count(run.counted.bytes)}` : '—';
    lines.push(`| ${LABELS[run.tool]} | ${count(run.objects)} | ${run.rep} | ${fixed(m.wallSeconds, 2)} | ${fixed(run.objects / m.wallSeconds, 0)} | ${fixed(m.cpuSeconds, 2)} | ${fixed(m.peakRssBytes / MB, 0)} | ${counted} | ${run.failure ? 'failed' : 'ok'} |`);
  }
  return lines;
}

/** "+1.2%", "-0.4%", "±0.0%". */
function signedPercent(fraction: number): string {
  if (!Number.isFinite(fraction)) return '—';
  const text = Math.abs(fraction * 100).toFixed(1);
  return text === '0.0' ? '±0.0%' : `${fraction > 0 ? '+' : '-'}${text}%`;
}
