import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * One data directory per user, shared by the CLI, the web host and the desktop app, so an upload
 * queued in one is resumed by any other. `QUIRE_HOME` overrides it (tests, portable installs).
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.QUIRE_HOME) return resolve(env.QUIRE_HOME);
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Quire');
  if (process.platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Quire');
  const xdgData = env.XDG_DATA_HOME && env.XDG_DATA_HOME.startsWith('/') ? env.XDG_DATA_HOME : join(homedir(), '.local', 'share');
  return join(xdgData, 'quire');
}

/**
 * The folder that holds the project's `resources/` (SQL migrations). The engine runs from src/
 * under vitest and from out/main/ when built, so it walks up from its own file instead of assuming
 * a depth; a packaged Electron app passes its resources path explicitly instead.
 */
export function findResourcesDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 8; depth += 1) {
    const candidate = join(dir, 'resources', 'migrations');
    if (existsSync(join(candidate, 'meta', '_journal.json'))) return join(dir, 'resources');
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new Error('Quire cannot find its resources/migrations folder; reinstall the app.');
}
