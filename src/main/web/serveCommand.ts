import type { Engine } from '../core/engine';
import { QuireError } from '../core/errors';
import { openInBrowser } from './openInBrowser';
import { startWebHost } from './webHost';

/** How often a host whose queue another process drives tries to take it over (as the desktop app does). */
const DRIVER_RETRY_MS = 5000;

export interface ServeOptions {
  port: number;
  open: boolean;
  rendererDir: string;
  /** Aborted by SIGINT or SIGTERM: the host closes, then the caller closes the engine. */
  signal: AbortSignal;
}

/**
 * `quire serve`: the engine driven for as long as it runs (like the app and `quire run --follow`),
 * the UI and the contract served to a browser on this machine, the address printed once.
 * Returns the exit status once the signal stops it; the caller closes the engine after.
 */
export async function serveCommand(engine: Engine, options: ServeOptions): Promise<number> {
  // Drops nobody queued (a tab closed after dropping) and copies a crash cut off go first.
  await engine.sweepStaging().catch((error: unknown) => process.stderr.write(`Quire could not clear old staged files: ${error instanceof Error ? error.message : String(error)}\n`));

  let host: Awaited<ReturnType<typeof startWebHost>>;
  try {
    host = await startWebHost({ engine, rendererDir: options.rendererDir, port: options.port });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      process.stderr.write(`error: port ${options.port} is already in use on 127.0.0.1 (another quire serve?). Choose another one: quire serve --port ${options.port + 1}\n`);
      return 1;
    }
    throw error;
  }

  let said = false;
  const drive = () => {
    // A look at the lock that never waits, so the pages' requests never stall behind it.
    if (engine.started || engine.queueState().state === 'elsewhere') {
      if (!engine.started && !said) process.stderr.write('Another Quire (the app, or quire run --follow) uploads from this data folder; this page steers it, and this process takes over when it ends.\n');
      said = true;
      return;
    }
    try {
      engine.start();
    } catch (error) {
      if (!(error instanceof QuireError && error.code === 'ledger_locked')) process.stderr.write(`Quire could not start its upload queue: ${error instanceof Error ? error.message : String(error)}\n`);
    }
  };
  drive();
  const takeOver = setInterval(drive, DRIVER_RETRY_MS);

  try {
    process.stdout.write(`Quire is at ${host.url}\n`);
    process.stderr.write(`Serving ${engine.dataDir} to a browser on this machine. Ctrl-C (or SIGTERM) stops.\n`);
    // Not the printed address: an opener's command line is readable by every user of the machine.
    if (options.open) openInBrowser(host.oneUseUrl());
    await new Promise<void>((resolve) => {
      if (options.signal.aborted) resolve();
      options.signal.addEventListener('abort', () => resolve(), { once: true });
    });
  } finally {
    clearInterval(takeOver);
    await host.close();
  }
  return 0;
}
