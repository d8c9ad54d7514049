import type { Measurement } from './measure';
import { median } from './report';
import { QUIET_CPU_PER_SECOND, requestTotal, WATCH_RUNNERS, type NoticeRun, type SyncRun, type WatchResult, type WatchRunner } from './watch';

const MB = 1e6;
const LABELS: Record<WatchRunner, string> = { quire: 'Quire', bare: 'Bare requests (reference)', rclone: 'rclone', aws: 'AWS CLI' };
/** The issue's goals for the watch folder. */
export const WATCH_GOALS = { shareOfReference: 0.9, restartSeconds: 2, restartRequests: 0 };

const fixed = (value: number, digits: number) => (Number.isFinite(value) ? value.toFixed(digits) : '—');
const verdict = (value: number, ok: (v: number) => boolean) => (!Number.isFinite(value) ? 'not measured' : ok(value) ? '**met**' : '**missed**');

function ok(watch: WatchResult, runner: WatchRunner, phase: SyncRun['phase']): SyncRun[] {
  return watch.runs.filter((run) => run.runner === runner && run.phase === phase && run.failure === null);
}

function medianOf(watch: WatchResult, runner: WatchRunner, phase: SyncRun['phase'], pick: (m: Measurement) => number): number {
  return median(ok(watch, runner, phase).map((run) => pick(run.measurement)));
}

function filesPerSecond(watch: WatchResult, runner: WatchRunner): number {
  return medianOf(watch, runner, 'first', (m) => watch.files / m.wallSeconds);
}

/** Requests of a sync with nothing changed, on the wire (the counted run), with what they were. */
function wireRequests(watch: WatchResult, runner: WatchRunner): { total: number; text: string } {
  const run = ok(watch, runner, 'again-counted')[0];
  if (!run?.requests) return { total: NaN, text: runner === 'bare' ? '—' : 'failed' };
  const total = requestTotal(run.requests);
  const parts = Object.entries(run.requests)
    .sort((a, b) => b[1] - a[1])
    .map(([op, n]) => `${n.toLocaleString('en-US')} ${op}`);
  return { total, text: total === 0 ? '0' : `${total.toLocaleString('en-US')} (${parts.join(', ')})` };
}

function ledgerRequests(watch: WatchResult): number {
  const run = ok(watch, 'quire', 'again')[0];
  return run ? requestTotal(run.requests) : NaN;
}

export function watchLabel(watch: WatchResult): string {
  return `${watch.files.toLocaleString('en-US')} × ${watch.fileBytes / 1024} KiB in ${watch.folders.toLocaleString('en-US')} folders`;
}

/** The goals, each met or missed. */
export function watchTargets(watch: WatchResult): string[] {
  const quire = filesPerSecond(watch, 'quire');
  const share = quire / filesPerSecond(watch, 'bare');
  const restart = medianOf(watch, 'quire', 'again', (m) => m.wallSeconds);
  const ledger = ledgerRequests(watch);
  const wire = wireRequests(watch, 'quire').total;
  const requests = Number.isFinite(ledger) && Number.isFinite(wire) ? Math.max(ledger, wire) : NaN;
  return [
    `- watch folder, first sync (${watchLabel(watch)}) ≥ ${WATCH_GOALS.shareOfReference * 100}% of the bare-request reference's files/s: ${fixed(100 * share, 0)}% ` +
      `(${fixed(quire, 1)} vs ${fixed(filesPerSecond(watch, 'bare'), 1)} files/s; ${fixed(quire / filesPerSecond(watch, 'rclone'), 2)}× rclone, ${fixed(quire / filesPerSecond(watch, 'aws'), 2)}× AWS CLI) — ${verdict(share, (v) => v >= WATCH_GOALS.shareOfReference)}`,
    `- watch folder, ready after a restart with nothing changed in under ${WATCH_GOALS.restartSeconds} s: ${fixed(restart, 2)} s — ${verdict(restart, (v) => v < WATCH_GOALS.restartSeconds)}`,
    `- watch folder, no request to the server after a restart with nothing changed: ${fixed(ledger, 0)} in Quire's ledger, ${fixed(wire, 0)} on the wire — ${verdict(requests, (v) => v <= WATCH_GOALS.restartRequests)}`,
  ];
}

export function watchSection(watch: WatchResult): string[] {
  const runners = [...WATCH_RUNNERS];
  const cells = (value: (runner: WatchRunner) => string) => runners.map(value).join(' | ');
  const first = (pick: (m: Measurement) => number, digits: number) => cells((r) => fixed(medianOf(watch, r, 'first', pick), digits));
  const again = (pick: (m: Measurement) => number, digits: number) => cells((r) => (r === 'bare' ? '—' : fixed(medianOf(watch, r, 'again', pick), digits)));
  const quire = filesPerSecond(watch, 'quire');
  const quireCpu = medianOf(watch, 'quire', 'first', (m) => m.cpuSeconds);
  const bareCpu = medianOf(watch, 'bare', 'first', (m) => m.cpuSeconds);
  const label = watchLabel(watch);
  const lines = [
    `Watch folder: a tree of ${label} (${fixed((watch.files * watch.fileBytes) / 2 ** 20, 0)} MiB), every file's mtime a minute old (settled). ` +
      `First sync: \`quire watch add\` then one \`quire run\` (scan, queue, upload, verify), beside the bare-request reference, \`rclone copy\` and \`aws s3 sync\` of the same tree, ` +
      `each into its own fresh bucket, ${watch.concurrency} requests in flight${watch.reps > 1 ? `, medians of ${watch.reps} repetitions in a rotating order` : ', once each'}. ` +
      `Again: the same command with nothing changed (Quire: \`quire run\` on the same data folder, the restart); its requests counted on the wire by running it once more through the counting proxy ` +
      `(Quire's also as rows added to its ledger's operations table). Every sync is checked in the bucket (object count and bytes).`,
    '',
    `| ${label} | ${runners.map((r) => LABELS[r]).join(' | ')} |`,
    `| --- |${runners.map(() => ' ---: ').join('|')}|`,
    `| first sync: files/s | ${first((m) => watch.files / m.wallSeconds, 1)} |`,
    `| first sync: wall s | ${first((m) => m.wallSeconds, 2)} |`,
    `| first sync: CPU s (user+sys) | ${first((m) => m.cpuSeconds, 2)} |`,
    `| first sync: peak RSS (MB) | ${first((m) => m.peakRssBytes / MB, 0)} |`,
    `| again, nothing changed: wall s | ${again((m) => m.wallSeconds, 2)} |`,
    `| again, nothing changed: CPU s (user+sys) | ${again((m) => m.cpuSeconds, 2)} |`,
    `| again, nothing changed: peak RSS (MB) | ${again((m) => m.peakRssBytes / MB, 0)} |`,
    `| again, nothing changed: requests on the wire | ${cells((r) => (r === 'bare' ? '—' : wireRequests(watch, r).text))} |`,
    '',
    `Quire's first sync: ${fixed((100 * quire) / filesPerSecond(watch, 'bare'), 0)}% of the bare reference (goal: at least ${WATCH_GOALS.shareOfReference * 100}%), ` +
      `${fixed(quire / filesPerSecond(watch, 'rclone'), 2)}× rclone, ${fixed(quire / filesPerSecond(watch, 'aws'), 2)}× the AWS CLI; ` +
      `\`quire watch add\` itself took ${fixed(median(watch.addSeconds), 2)} s (not counted in the sync). ` +
      `Quire's restart logged ${fixed(ledgerRequests(watch), 0)} request(s) in its ledger.`,
    '',
    // On a shared 2-core machine wall time moves with whatever else runs; CPU seconds much less.
    // Client and radosgw share the cores, so every CPU second the client spends is one the server waits for.
    `Quire's own work, steadier than wall time when the machine is shared: its first sync used ${fixed(quireCpu, 2)} CPU s where the reference, sending the same requests, used ${fixed(bareCpu, 2)}: ` +
      `${fixed(((quireCpu - bareCpu) * 1000) / watch.files, 2)} CPU ms more per file, on cores radosgw shares.`,
  ];
  const follow = watch.follow;
  if (follow) {
    const notices = (kind: NoticeRun['kind']) => follow.notices.filter((n) => n.kind === kind && n.failure === null);
    const noticeCell = (kind: NoticeRun['kind']) => {
      const done = notices(kind);
      if (done.length === 0) return 'failed';
      const verified = done.map((n) => n.verifiedMs);
      return `${fixed(median(verified), 0)} ms (${fixed(Math.min(...verified), 0)}–${fixed(Math.max(...verified), 0)}; queued after ${fixed(median(done.map((n) => n.queuedMs)), 0)} ms)`;
    };
    const perFile = median(follow.notices.filter((n) => n.failure === null).map((n) => n.requests));
    lines.push(
      '',
      `\`quire run --follow\` on the same data folder after the first sync (its connection through the counting proxy). CPU from /proc/PID/stat (user+sys, all threads), RSS from /proc/PID/status. ` +
        `A new file is written into an existing folder of the tree, 64 KiB of random bytes; "settled" then has its mtime set a minute back, "fresh" is left as written, so the quiet rule (2 s unchanged) holds it. ` +
        `Time runs from the file being in place (written, closed, dated) to the upload's verified time in the ledger (what \`quire queue --json\` shows); ${follow.notices.length / 2} of each kind, median (range).`,
      '',
      '| `quire run --follow` | |',
      '| --- | ---: |',
      `| start: first scan of the folder recorded | ${fixed(follow.scannedSeconds, 2)} s |`,
      `| start: quiet (under ${QUIET_CPU_PER_SECOND} CPU s per s) | ${fixed(follow.quietSeconds, 1)} s, ${fixed(follow.startCpuSeconds, 2)} CPU s, ${fixed(follow.startRequests, 0)} requests |`,
      `| idle: CPU over ${follow.idleSeconds} s of nothing happening | ${fixed(follow.idleCpuSeconds, 2)} s (${fixed((100 * follow.idleCpuSeconds) / follow.idleSeconds, 2)}% of a core) |`,
      `| idle: RSS | ${fixed(follow.idleRssBytes / MB, 0)} MB (peak ${fixed(follow.peakRssBytes / MB, 0)} MB) |`,
      `| idle: requests to the server | ${fixed(follow.idleRequests, 0)} |`,
      `| new settled file: until verified | ${noticeCell('settled')} |`,
      `| new fresh file: until verified | ${noticeCell('fresh')} |`,
      `| requests per new file | ${fixed(perFile, 0)} |`,
    );
    if (follow.failure) lines.push('', `Following failed: ${follow.failure}`);
  }
  lines.push('', ...runners.map((r) => `- ${LABELS[r]} (${watch.versions.get(r) ?? '?'}): ${watch.commands.get(r) ?? ''}`));
  if (watch.profileDir) lines.push('', `> Quire's first sync and restart ran under V8's CPU profiler (profiles in ${watch.profileDir}): their wall and CPU figures include its overhead.`);
  return lines;
}

export function watchFailures(watch: WatchResult): string[] {
  const lines = watch.runs.filter((run) => run.failure).map((run) => `- ${run.runner}, watch folder (${run.phase}), repetition ${run.rep}: ${run.failure}`);
  for (const notice of watch.follow?.notices ?? []) if (notice.failure) lines.push(`- quire, watch folder, new ${notice.kind} file #${notice.attempt}: ${notice.failure}`);
  if (watch.follow?.failure) lines.push(`- quire, watch folder, follow: ${watch.follow.failure}`);
  return lines;
}

export function watchRawRuns(watch: WatchResult): string[] {
  const lines = ['', '| watch folder | phase | rep | wall s | files/s | CPU s | peak RSS MB | requests | status |', '| --- | --- | ---: | ---: | ---: | ---: | ---: | --- | --- |'];
  for (const run of watch.runs) {
    const m = run.measurement;
    const requests = run.requests ? JSON.stringify(run.requests).replaceAll('"', '') : '';
    const rate = run.phase === 'first' ? (watch.files / m.wallSeconds).toFixed(1) : '';
    lines.push(`| ${run.runner} | ${run.phase} | ${run.rep} | ${m.wallSeconds.toFixed(2)} | ${rate} | ${m.cpuSeconds.toFixed(2)} | ${(m.peakRssBytes / MB).toFixed(0)} | ${requests} | ${run.failure ? 'failed' : 'ok'} |`);
  }
  for (const notice of watch.follow?.notices ?? []) {
    lines.push(`| quire --follow | new ${notice.kind} file #${notice.attempt} | | ${fixed(notice.verifiedMs / 1000, 2)} | | | | ${notice.requests} | ${notice.failure ? 'failed' : 'ok'} |`);
  }
  return lines;
}
