import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { HIDDEN_ARG } from './loginItem';

export interface Launch {
  /** Started at login: into the tray, without the window. */
  hidden: boolean;
  /** Files and folders Quire was opened with ("Open with Quire", a drop on its icon): they are queued. */
  paths: string[];
}

/**
 * What a launch asked for, from its command line: Electron's own arguments and Chromium's
 * switches are skipped; what is left and names an existing file or folder (relative to the
 * launch's working folder) is a path to upload. A packaged app's argv is [exe, ...args]; one run
 * from source is [electron, appDir, ...args].
 */
export function parseLaunch(argv: readonly string[], options: { packaged: boolean; cwd: string }): Launch {
  const args = argv.slice(options.packaged ? 1 : 2);
  const paths: string[] = [];
  let hidden = false;
  for (const arg of args) {
    if (arg === HIDDEN_ARG) hidden = true;
    else if (arg.startsWith('-')) continue;
    else {
      const path = isAbsolute(arg) ? arg : resolve(options.cwd, arg);
      if (existsSync(path) && !paths.includes(path)) paths.push(path);
    }
  }
  return { hidden, paths };
}

/**
 * A second instance's launch as the first receives it (Electron's additionalData: structured
 * clone of what that instance parsed). Anything not of that shape is an empty launch.
 */
export function launchFromInstance(data: unknown): Launch {
  const value = data as Partial<Launch> | null;
  const paths = Array.isArray(value?.paths) ? value.paths.filter((path): path is string => typeof path === 'string' && isAbsolute(path)) : [];
  return { hidden: value?.hidden === true, paths };
}
