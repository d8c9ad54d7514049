import { fork } from 'node:child_process';
import { constants } from 'node:os';
import type { PoolMessage, WorkerReply } from './imageWorker';
import type { ImageWorkerEntry } from './workerEntry';

/**
 * How the image pool starts a worker process, as a port: the CLI and `quire serve` fork a plain
 * Node child (`forkWorker`), the desktop app starts an Electron utility process
 * (src/main/electron/utilityWorkers.ts). Electron's main process cannot fork once the packaged
 * app has the RunAsNode fuse off (fork runs the child as ELECTRON_RUN_AS_NODE), and Electron
 * recommends utilityProcess for such work anyway.
 *
 * Whatever starts it, the pool needs the same few things: send a job, hear the replies, learn how
 * the process ended — an exit code, or the signal that ended it, because a decoder's own crash
 * (SIGSEGV...) blames the image while a kill from outside (SIGKILL) does not.
 */

/** How a worker process ended; `spawnError` when it never started. */
export type WorkerExitListener = (code: number | null, signal: NodeJS.Signals | null, spawnError?: Error) => void;

export interface WorkerProcess {
  /** Undefined until it has started (a utility process learns its PID a little later), or if it never did. */
  readonly pid: number | undefined;
  send(message: PoolMessage): void;
  onMessage(listener: (reply: WorkerReply) => void): void;
  /** Called once, when it has ended and every reply it sent has been delivered. */
  onExit(listener: WorkerExitListener): void;
  /** Asks an idle worker to exit by itself: nothing is under way to interrupt. */
  close(): void;
  /** Ends it at once (SIGKILL): libvips cannot be interrupted mid-image. */
  kill(): void;
  /** Whether it keeps the host process alive: yes while it works, no while idle (so a CLI can exit). */
  holdHost(hold: boolean): void;
}

export interface WorkerSpawnOptions {
  /** The worker's whole environment (the pool adds what it needs to the host's). */
  env: NodeJS.ProcessEnv;
  /** A name unique to this worker: what the OS's task manager shows, and how Electron reports its end. */
  serviceName: string;
}

export type WorkerSpawner = (entry: ImageWorkerEntry, options: WorkerSpawnOptions) => WorkerProcess;

/** The worker as a plain Node child process: the CLI's and `quire serve`'s, and the default. */
export const forkWorker: WorkerSpawner = (entry, { env }) => {
  const child = fork(entry.path, [], {
    execArgv: entry.execArgv,
    env,
    // Its stderr is the host's (a crash's last words belong in the host's log); nothing is read from stdout.
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const exitListeners: WorkerExitListener[] = [];
  // Done with once it has exited AND its IPC channel has delivered everything it sent ('exit'
  // may come before a last reply; 'disconnect' never comes once we disconnected it ourselves).
  let finished = false;
  const finish = (code: number | null, signal: NodeJS.Signals | null, spawnError?: Error) => {
    if (finished) return;
    finished = true;
    for (const listener of exitListeners) listener(code, signal, spawnError);
  };
  child.on('exit', (code, signal) => {
    if (!child.connected) return finish(code, signal);
    child.once('disconnect', () => finish(code, signal));
    // Should the channel never report its end, the exit is enough.
    setTimeout(() => finish(code, signal), 1000).unref();
  });
  child.on('error', (error) => {
    // A spawn that failed never gets a pid and never exits.
    if (child.pid === undefined) finish(null, null, error);
  });
  return {
    get pid() {
      return child.pid;
    },
    // A failed send means the worker is gone: its exit fails the job.
    send: (message) => void child.send(message, (error) => void error),
    onMessage: (listener) => void child.on('message', listener),
    onExit: (listener) => void exitListeners.push(listener),
    // It exits by itself when its channel closes.
    close: () => {
      if (child.connected) child.disconnect();
    },
    // By PID, and only while it runs (a PID that exited may already be someone else's).
    kill: () => {
      if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        // Already gone: its exit is on its way.
      }
    },
    holdHost: (hold) => {
      if (hold) {
        child.ref();
        child.channel?.ref();
      } else {
        child.unref();
        child.channel?.unref();
      }
    },
  };
};

// ---- Electron's utility process, seen from plain Node ----------------------------------------

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
