import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One command to run: what each tool adapter produces. */
export interface Invocation {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
}

export interface Measurement {
  ok: boolean;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  wallSeconds: number;
  /** user + sys of the tool's process (and any children it waited for), from wait4's rusage. */
  cpuSeconds: number;
  /** ru_maxrss of the tool's process, in bytes. */
  peakRssBytes: number;
  stdout: string;
  stderr: string;
  /** Why it failed, in one line, for the table's footnotes. */
  failure: string | null;
}

const GNU_TIME = '/usr/bin/time';
// Tab-separated so the line is trivial to find and parse; %M is KiB, %U/%S are seconds.
const TIME_FORMAT = 'BENCH-RUSAGE\t%U\t%S\t%M';

/**
 * Runs a tool under GNU time and returns wall time, CPU seconds and peak RSS of the tool's own
 * process. GNU time is the measuring parent because only a parent can wait4() a process and read
 * its rusage; `bin/quire` is a bash script that `exec`s node, so the PID GNU time waits for *is*
 * the node process by the time it exits.
 *
 * Always asynchronous: the bench's counting proxy lives in this process and must keep answering.
 * The tool gets its own process group so a timeout can stop it and everything it started, by id.
 */
export async function measure(invocation: Invocation, timeoutMs: number): Promise<Measurement> {
  const scratch = await mkdtemp(join(tmpdir(), 'quire-bench-time-'));
  const output = join(scratch, 'rusage');
  try {
    const started = process.hrtime.bigint();
    const run = await runChild(GNU_TIME, ['-o', output, '-f', TIME_FORMAT, invocation.command, ...invocation.args], invocation.env, timeoutMs);
    const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    const rusage = parseRusage(await readFile(output, 'utf8').catch(() => ''));
    // GNU time exits with the tool's status; a tool killed by a signal makes it exit 128+n.
    const ok = run.exitCode === 0 && !run.timedOut && rusage !== null;
    return {
      ok,
      exitCode: run.exitCode,
      signal: run.signal,
      wallSeconds,
      cpuSeconds: rusage ? rusage.user + rusage.sys : NaN,
      peakRssBytes: rusage ? rusage.maxRssKiB * 1024 : NaN,
      stdout: run.stdout,
      stderr: run.stderr,
      failure: ok ? null : run.timedOut ? `timed out after ${Math.round(timeoutMs / 1000)} s` : `exit ${run.exitCode ?? run.signal}: ${lastLine(run.stderr)}`,
    };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

export interface ChildRun {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** A started child the caller may kill at a moment of its choosing (the kill-at-50% run). */
export function startChild(command: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): { pid: number; done: Promise<ChildRun> } {
  // stdin is /dev/null: the bench is non-interactive, and a tool that prompts must fail, not hang.
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let stdout = '';
  let stderr = '';
  let timedOut = false;
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup(child.pid, 'SIGKILL');
  }, timeoutMs);
  const done = new Promise<ChildRun>((resolve) => {
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ exitCode: 127, signal: null, stdout, stderr: `${stderr}${error.message}\n`, timedOut });
    });
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer);
      resolve({ exitCode, signal, stdout, stderr, timedOut });
    });
  });
  return { pid: child.pid ?? -1, done };
}

export function runChild(command: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<ChildRun> {
  return startChild(command, args, env, timeoutMs).done;
}

/** The group was created by startChild (detached), so its id is the child's PID: ours to end. */
export function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (!pid || pid <= 0) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

function parseRusage(text: string): { user: number; sys: number; maxRssKiB: number } | null {
  // GNU time may write "Command exited with non-zero status N" first; our line is tagged.
  const line = text.split('\n').find((l) => l.startsWith('BENCH-RUSAGE\t'));
  if (!line) return null;
  const [, user, sys, rss] = line.split('\t');
  return { user: Number(user), sys: Number(sys), maxRssKiB: Number(rss) };
}

export function lastLine(text: string): string {
  const lines = text.trim().split('\n').filter(Boolean);
  return (lines.at(-1) ?? '(no output)').slice(0, 300);
}
