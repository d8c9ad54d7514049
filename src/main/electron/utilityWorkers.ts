import { app, utilityProcess } from 'electron';
import { ChildGoneRouter, utilityWorkerProcess } from '../core/images/utilityExit';
import type { WorkerSpawner } from '../core/images/workerProcess';

/**
 * The desktop app's image workers, as Electron utility processes. The packaged app has the
 * RunAsNode fuse off, so child_process.fork from the main process no longer works (fork runs the
 * child as ELECTRON_RUN_AS_NODE); utilityProcess is Electron's way to run Node work in a child.
 *
 * Thin on purpose: what decides (merging `exit` with 'child-process-gone', which end blames the
 * image, killing by PID) is in core/images/workerProcess.ts and tested under Node. Electron cannot
 * run on the machines this was written on: this file is type-checked and built, but has not yet
 * run in a real Electron; try it where Electron starts (an image prepared, one aborted, a worker
 * killed from outside) before trusting it.
 *
 * Must be used after app 'ready' (utilityProcess.fork refuses earlier); the pool starts its
 * workers on demand, after Engine.open in whenReady.
 */

const gone = new ChildGoneRouter();
let listening = false;

export const utilityProcessSpawner: WorkerSpawner = (entry, { env, serviceName }) => {
  if (!listening) {
    listening = true;
    // Why a utility process ended (crashed, killed, out of memory, never launched): its `exit`
    // event gives only a number. Reports name the process by the serviceName it was forked with.
    app.on('child-process-gone', (_event, details) => gone.report(details));
  }
  const child = utilityProcess.fork(entry.path, [], {
    serviceName,
    env: definedOnly(env),
    execArgv: entry.execArgv,
    // stdin must be 'ignore'; its stderr is the app's (a crash's last words belong in its log).
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return utilityWorkerProcess(child, serviceName, gone);
};

/** Electron takes the environment as strings only. */
function definedOnly(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}
