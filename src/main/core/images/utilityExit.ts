import { constants } from 'node:os';
import type { PoolMessage, WorkerReply } from './imageWorker';
import type { WorkerExitListener, WorkerProcess } from './workerProcess';

/*
 * Electron's utility process, seen from plain Node: how its end (a bare exit number, and the
 * app's 'child-process-gone' report) becomes the exit code or signal the image pool judges a
 * worker's end by. The Electron binding (src/main/electron/utilityWorkers.ts) only plugs the
 * real utilityProcess into this; everything that decides is here, tested under Node.
 */

/**
 * Why Electron says a child process is gone (app 'child-process-gone', `details.reason`), with
 * its `details.exitCode`: on POSIX the raw wait status (Chromium's GetTerminationStatus), on
 * Windows the process's exit code (an NTSTATUS such as 0xC0000005 for a crash).
 */
export interface ChildGone {
  reason: 'clean-exit' | 'abnormal-exit' | 'killed' | 'crashed' | 'oom' | 'launch-failed' | 'integrity-failure' | 'memory-eviction' | (string & {});
  exitCode: number;
}

export interface WorkerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  spawnError?: Error;
}

/** Windows exception codes a crashed process exits with, as the POSIX signal that means the same. */
const WINDOWS_CRASHES: ReadonlyMap<number, NodeJS.Signals> = new Map([
  [0xc0000005, 'SIGSEGV'], // access violation
  [0xc0000006, 'SIGBUS'], // in-page error (a mapped file's page could not be read)
  [0xc000001d, 'SIGILL'], // illegal instruction
  [0xc0000094, 'SIGFPE'], // integer division by zero
  [0xc0000409, 'SIGABRT'], // stack buffer overrun, also abort()'s fail-fast
  [0x80000003, 'SIGTRAP'], // breakpoint: Chromium's and V8's deliberate crash (a CHECK, V8 out of heap)
  [0xc0000017, 'SIGKILL'], // no memory
  [0xc000012d, 'SIGKILL'], // commitment limit: the system is out of memory
]);

const KILLS: ReadonlySet<NodeJS.Signals> = new Set(['SIGKILL', 'SIGTERM', 'SIGINT']);

/**
 * A utility process's end, in the words the pool understands (an exit code or a signal).
 * Electron's `exit` event gives only a number; its app 'child-process-gone' event says why:
 * - crashed: the process broke in its own code. On POSIX the status says which signal (SIGSEGV,
 *   SIGBUS... blame the image; SIGTRAP is Chromium's or V8's deliberate crash, such as V8 out of
 *   heap, and does not); on Windows the exception code says it, an unknown one counts as SIGSEGV.
 * - oom, memory-eviction, killed: ended from outside, not the image's fault: SIGKILL (or the
 *   signal the status names, which for Chromium's "killed" is only SIGKILL, SIGTERM or SIGINT).
 * - launch-failed, integrity-failure (Windows refused the binary): it never started.
 * - abnormal-exit, clean-exit: an exit code.
 * With no report at all the number is taken as an exit code: better to retry an image than to
 * blame it without cause.
 */
export function exitOfUtilityProcess(code: number | null, gone: ChildGone | null, platform: NodeJS.Platform = process.platform): WorkerExit {
  if (!gone) return { code, signal: null };
  const status = gone.exitCode;
  const windows = platform === 'win32';
  switch (gone.reason) {
    case 'launch-failed':
      return { code: null, signal: null, spawnError: new Error(`Electron could not launch the process (error ${status})`) };
    case 'integrity-failure':
      return { code: null, signal: null, spawnError: new Error(`the system refused to run the process (code integrity, error ${status})`) };
    case 'crashed': {
      const signal = windows ? WINDOWS_CRASHES.get(status >>> 0) : signalOfWaitStatus(status);
      return { code: null, signal: signal ?? 'SIGSEGV' };
    }
    case 'killed': {
      const signal = windows ? undefined : signalOfWaitStatus(status);
      return { code: null, signal: signal && KILLS.has(signal) ? signal : 'SIGKILL' };
    }
    case 'oom':
    case 'memory-eviction':
      return { code: null, signal: 'SIGKILL' };
    case 'clean-exit':
      return { code: 0, signal: null };
    default:
      return { code: windows ? status : exitCodeOfWaitStatus(status), signal: null };
  }
}

/** The signal a POSIX wait status says ended the process (low 7 bits; 0x80 is "core dumped"), if any. */
function signalOfWaitStatus(status: number): NodeJS.Signals | undefined {
  if (status <= 0 || status > 0xff) return undefined;
  const number = status & 0x7f;
  return (Object.keys(constants.signals) as NodeJS.Signals[]).find((name) => constants.signals[name] === number);
}

/** The exit code in a POSIX wait status (its second byte), or the number as it came when it is a plain code. */
function exitCodeOfWaitStatus(status: number): number {
  return status > 0xff && (status & 0xff) === 0 ? status >> 8 : status;
}

/** What the desktop host gets from Electron's `utilityProcess.fork` (structurally, so this file needs no Electron). */
export interface UtilityChild {
  readonly pid: number | undefined;
  postMessage(message: unknown): void;
  on(event: 'spawn', listener: () => void): unknown;
  on(event: 'message', listener: (message: WorkerReply) => void): unknown;
  on(event: 'exit', listener: (code: number) => void): unknown;
}

/**
 * Electron's app 'child-process-gone' reports, routed to the worker they concern: they carry no
 * PID, only the name the process was forked with (`details.name`), so every worker gets its own.
 */
export class ChildGoneRouter {
  private readonly listeners = new Map<string, (gone: ChildGone) => void>();

  report(details: { type: string; name?: string; reason: string; exitCode: number }): void {
    if (details.type !== 'Utility' || details.name === undefined) return;
    this.listeners.get(details.name)?.({ reason: details.reason, exitCode: details.exitCode });
  }

  /** Listens for the end of the process named `name`; returns how to stop listening. */
  watch(name: string, listener: (gone: ChildGone) => void): () => void {
    this.listeners.set(name, listener);
    return () => {
      if (this.listeners.get(name) === listener) this.listeners.delete(name);
    };
  }
}

/**
 * How long a utility process's non-zero `exit` waits for Electron's report of why. Both come from
 * one Chromium notification, the report usually in the same turn; a report that never comes
 * (or comes later) leaves an exit code, which the pool treats as retryable.
 */
export const GONE_REPORT_GRACE_MS = 500;

/** A utility process as a pool worker: Electron's `exit` and 'child-process-gone' merged into one end. */
export function utilityWorkerProcess(child: UtilityChild, serviceName: string, router: ChildGoneRouter, graceMs = GONE_REPORT_GRACE_MS): WorkerProcess {
  const exitListeners: WorkerExitListener[] = [];
  let gone: ChildGone | null = null;
  let exitCode: number | null = null;
  let exited = false;
  let finished = false;
  let graceTimer: NodeJS.Timeout | undefined;
  let killWanted = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    clearTimeout(graceTimer);
    stopWatching();
    const { code, signal, spawnError } = exitOfUtilityProcess(exitCode, gone);
    for (const listener of exitListeners) listener(code, signal, spawnError);
  };
  const stopWatching = router.watch(serviceName, (report) => {
    gone = report;
    // A launch that failed may never give an `exit`.
    if (exited || report.reason === 'launch-failed' || report.reason === 'integrity-failure') finish();
  });
  child.on('exit', (code) => {
    exited = true;
    exitCode = code;
    if (gone || code === 0) finish();
    else graceTimer = setTimeout(finish, graceMs);
  });
  const killNow = () => {
    if (child.pid === undefined || exited) return;
    try {
      // SIGKILL by PID, not utilityProcess.kill(): that sends SIGTERM, which the worker ignores
      // (Ctrl-C and friends must not end an image half made), and escalates only seconds later.
      process.kill(child.pid, 'SIGKILL');
    } catch {
      // Already gone: its exit is on its way.
    }
  };
  // A utility process learns its PID once launched: a kill asked for before then waits for it.
  child.on('spawn', () => {
    if (killWanted) killNow();
  });
  return {
    get pid() {
      return child.pid;
    },
    // Messages posted before it has launched are queued by Electron.
    send: (message) => child.postMessage(message),
    onMessage: (listener) => void child.on('message', listener),
    onExit: (listener) => void exitListeners.push(listener),
    // It has no channel to close: it is told to exit (see imageWorker.ts).
    close: () => child.postMessage({ kind: 'close' } satisfies PoolMessage),
    kill: () => {
      killWanted = true;
      killNow();
    },
    // Electron's main process lives as long as the app, whatever its children do.
    holdHost: () => {},
  };
}
