import type { AnalyticsResult, QueryTiming } from './analytics';

const MB = 1e6;
const fixed = (value: number, digits: number) => (Number.isFinite(value) ? value.toFixed(digits) : '—');

function timing(analytics: AnalyticsResult, phase: QueryTiming['phase'], range: QueryTiming['range'], query: string): QueryTiming | undefined {
  return analytics.timings.find((t) => t.phase === phase && t.range === range && t.query === query);
}

/** The queries of the report (not the whole report), over the full range. */
function yearQueries(analytics: AnalyticsResult, phase: QueryTiming['phase']): QueryTiming[] {
  return analytics.timings.filter((t) => t.phase === phase && t.range === 'year' && t.query !== 'the whole report');
}

/** The issue's goal: each analytics query under 100 ms over a year of heavy use, before and after the rollup; and the rollup exact. */
export function analyticsTargets(analytics: AnalyticsResult): string[] {
  const { targetMs } = analytics.config;
  const lines: string[] = [];
  for (const phase of ['before rollup', 'after rollup'] as const) {
    const queries = yearQueries(analytics, phase);
    const slowest = queries.reduce<QueryTiming | null>((worst, t) => (worst && worst.medianMs >= t.medianMs ? worst : t), null);
    const missed = queries.filter((t) => t.medianMs >= targetMs);
    const whole = timing(analytics, phase, 'year', 'the whole report');
    lines.push(
      `- analytics, every query over a year of ${analytics.history.operations.toLocaleString('en-US')} requests under ${targetMs} ms, ${phase}: slowest ${slowest ? `"${slowest.query}" ${fixed(slowest.medianMs, 1)} ms` : 'not measured'}` +
        ` (the whole report ${fixed(whole?.medianMs ?? NaN, 1)} ms) — ${!slowest ? 'not measured' : missed.length === 0 ? '**met**' : `**missed** by ${missed.map((t) => t.query).join(', ')}`}`,
    );
  }
  lines.push(`- analytics, every figure the same after the rollup: ${analytics.differences.length === 0 ? '**met**' : `**missed**: ${analytics.differences.slice(0, 5).join('; ')}`}`);
  return lines;
}

export function analyticsSection(analytics: AnalyticsResult): string[] {
  const { history, rollup, uncopied, report } = analytics;
  const c = analytics.config;
  const queries = [...new Set(analytics.timings.map((t) => t.query))];
  const cell = (phase: QueryTiming['phase'], range: QueryTiming['range'], query: string) => {
    const t = timing(analytics, phase, range, query);
    return t ? `${fixed(t.medianMs, 1)} (${fixed(t.maxMs, 1)})` : '—';
  };
  return [
    `Analytics: a ledger of ${c.days} days of heavy use written by bench/analyticsHistory.ts (seeded): ${history.uploads.toLocaleString('en-US')} uploads of every content type ` +
      `(chapters and full audiobooks in 10 MiB parts, manuscripts, covers and book images with ${history.imageSets.toLocaleString('en-US')} web image sets, videos), ` +
      `${history.operations.toLocaleString('en-US')} requests (${history.failedOperations.toLocaleString('en-US')} failing first for the usual reasons, besides the HEADs that find a name free), ` +
      `${fixed(analytics.ledgerBytes / MB, 0)} MB, migrated by Quire's own migrations (so with exactly its indexes); written in ${fixed(analytics.fillSeconds, 1)} s. ` +
      `Each query of the report run once to warm up, then ${c.reps} times: median (slowest) ms, in one process on the ledger's own connection, the file in the page cache. ` +
      `"Year" is the whole ledger; "30 days" the last 30.`,
    '',
    `| query | year, before rollup | year, after rollup | 30 days, before | 30 days, after |`,
    `| --- | ---: | ---: | ---: | ---: |`,
    ...queries.map((q) => `| ${q} | ${cell('before rollup', 'year', q)} | ${cell('after rollup', 'year', q)} | ${cell('before rollup', '30 days', q)} | ${cell('after rollup', '30 days', q)} |`),
    '',
    `Throughput times each upload from its first request, which the engine copies onto the upload's row at start (once per upload, in batches of 200): on a ledger where none is copied yet ` +
      `(the first start after the upgrade) the year's throughput took ${fixed(uncopied.medianMs, 1)} ms, one look-up per upload; the copy of ${uncopied.copied.toLocaleString('en-US')} took ${fixed(uncopied.copySeconds, 1)} s, in the background, holding the event loop up ${fixed(uncopied.copyLongestBlockMs, 0)} ms at most.`,
    `Rollup of requests older than ${c.retentionDays} days: ${rollup.operations.toLocaleString('en-US')} requests of ${rollup.days} days in ${fixed(rollup.seconds, 1)} s, in the background (an hour's requests per transaction), holding the event loop up ${fixed(rollup.longestBlockMs, 0)} ms at most; ` +
      `run again: ${rollup.againOperations} in ${fixed(rollup.againSeconds, 2)} s. Left: ${rollup.operationsLeft.toLocaleString('en-US')} requests and ${rollup.rollupRows.toLocaleString('en-US')} rollup rows; ` +
      `the ledger ${fixed(analytics.ledgerBytes / MB, 0)} MB before, ${fixed(rollup.ledgerBytesAfter / MB, 0)} MB after (VACUUM).`,
    `The year's figures: ${report.uploads.verified.toLocaleString('en-US')} uploads verified (${fixed(report.uploads.bytesVerified / 1e12, 2)} TB), ${report.uploads.failed} failed, ` +
      `${fixed((report.uploads.successRate ?? NaN) * 100, 1)}% succeeded; throughput median ${fixed((report.throughput.medianBytesPerSecond ?? NaN) / MB, 1)} MB/s, p95 ${fixed((report.throughput.p95BytesPerSecond ?? NaN) / MB, 1)} MB/s; ` +
      `requests ${report.requests.total.toLocaleString('en-US')}, failed ${report.requests.failed.toLocaleString('en-US')} (retried ${report.requests.failedBy.retried}, refused ${report.requests.failedBy.refused}, ` +
      `expected ${report.requests.failedBy.expected}, stopped ${report.requests.failedBy.stopped}); ${report.resumes.uploads} uploads resumed, ${fixed(report.resumes.bytesSaved / 1e9, 1)} GB not sent again; ` +
      `${report.images.sets} image sets, ${fixed(report.images.bytesSaved / 1e9, 2)} GB saved.`,
  ];
}

export function analyticsFailures(analytics: AnalyticsResult): string[] {
  return analytics.failure ? [`- analytics: ${analytics.failure}`] : [];
}
