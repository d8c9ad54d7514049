import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export const QUIRE_BIN = join(import.meta.dirname, '..', '..', 'bin', 'quire');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** The environment a test's `quire` runs in: its own data folder, no keys inherited by accident. */
export function cliEnv(home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, QUIRE_HOME: home, QUIRE_ACCESS_KEY_ID: '', QUIRE_SECRET_ACCESS_KEY: '', DO_SPACES_KEY: '', DO_SPACES_SECRET: '', ...extra };
}

export interface StartOptions {
  input?: string;
  env?: Record<string, string>;
  /** Runs `quire` under another program first (`faketime -f -20m`, say). */
  wrapper?: string[];
}

/**
 * A `quire` process the test can kill at a moment of its choosing. Always asynchronous: a fault
 * proxy living in the test process must keep answering while the CLI talks through it.
 */
export function startQuire(home: string, args: string[], options: StartOptions = {}): { child: ChildProcess; done: Promise<CliResult> } {
  const [command, ...prefix] = options.wrapper ?? [];
  const child = command
    ? spawn(command, [...prefix, QUIRE_BIN, ...args], { env: cliEnv(home, options.env), stdio: ['pipe', 'pipe', 'pipe'] })
    : spawn(QUIRE_BIN, args, { env: cliEnv(home, options.env), stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdin!.end(options.input ?? '');
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<CliResult>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, done };
}

/** Runs `quire` to its end. */
export function runQuire(home: string, args: string[], options: StartOptions = {}): Promise<CliResult> {
  return startQuire(home, args, options).done;
}
