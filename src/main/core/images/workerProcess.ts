import { fork } from 'node:child_process';
import type { PoolMessage, WorkerReply } from './imageWorker';
import type { ImageWorkerEntry } from './workerEntry';

/**
 * How the image pool starts a worker process, as a port: the CLI and `quire serve` fork a plain
 * Node child (`forkWorker`), the desktop app starts an Electron utility process
 * (src/main/electron/utilityWorkers.ts; its end is translated by utilityExit.ts). Electron's main
 * process cannot fork once the packaged app has the RunAsNode fuse off (fork runs the child as
 * ELECTRON_RUN_AS_NODE), and Electron recommends utilityProcess for such work anyway.
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
