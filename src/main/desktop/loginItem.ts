import { mkdir, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

/** The argument a login start passes: Quire opens in the tray, without its window. */
export const HIDDEN_ARG = '--hidden';

/** How "open at login" is made on this system. */
export type LoginItemPlan =
  /** macOS and Windows: the OS's own login items (Electron's app.setLoginItemSettings). */
  | { kind: 'os'; settings: { openAtLogin: boolean; openAsHidden: boolean; args: string[] } }
  /** Linux: an XDG autostart entry (every desktop that follows freedesktop.org reads it); content null: removed. */
  | { kind: 'xdg-autostart'; path: string; content: string | null };

export interface LoginItemContext {
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  /** The running executable (Electron's process.execPath). */
  execPath: string;
  home?: string;
}

export function loginItemPlan(openAtLogin: boolean, context: LoginItemContext): LoginItemPlan {
  if (context.platform === 'darwin' || context.platform === 'win32') {
    // macOS reads openAsHidden; Windows starts the executable with these arguments.
    return { kind: 'os', settings: { openAtLogin, openAsHidden: true, args: [HIDDEN_ARG] } };
  }
  const configHome = context.env.XDG_CONFIG_HOME && context.env.XDG_CONFIG_HOME.startsWith('/') ? context.env.XDG_CONFIG_HOME : join(context.home ?? homedir(), '.config');
  // An AppImage runs from a mount that changes at every start: the autostart entry names the
  // AppImage file itself (its runtime sets APPIMAGE), not the executable inside the mount.
  const executable = context.env.APPIMAGE || context.execPath;
  return { kind: 'xdg-autostart', path: join(configHome, 'autostart', 'quire.desktop'), content: openAtLogin ? autostartEntry(executable) : null };
}

/** The autostart entry (freedesktop.org Desktop Entry), starting Quire hidden in the tray. */
export function autostartEntry(executable: string): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Version=1.0',
    'Name=Quire',
    'Comment=Resumable, verified uploads of manuscripts, audiobooks and covers',
    `Exec=${execArgument(executable)} ${HIDDEN_ARG}`,
    // The icon the deb installs (named after its executable, quire-desktop).
    'Icon=quire-desktop',
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

/** Writes or removes the Linux autostart entry (the OS kinds are the Electron binding's). */
export async function applyAutostart(plan: Extract<LoginItemPlan, { kind: 'xdg-autostart' }>): Promise<void> {
  if (plan.content === null) {
    await rm(plan.path, { force: true });
    return;
  }
  await mkdir(dirname(plan.path), { recursive: true });
  await writeFile(plan.path, plan.content, { mode: 0o644 });
}

/**
 * A path as an Exec argument, by the Desktop Entry spec's two layers: quoted when it holds
 * anything but plain characters, the four characters reserved inside quotes (" ` $ \) escaped by
 * a backslash, a literal % doubled (field codes); then, Exec being a string value, every
 * backslash doubled again, as the reader undoes string escapes before it splits the command.
 */
function execArgument(path: string): string {
  const percent = path.replace(/%/g, '%%');
  if (/^[A-Za-z0-9_./+-]+$/.test(percent)) return percent;
  const quoted = `"${percent.replace(/(["`$\\])/g, '\\$1')}"`;
  return quoted.replace(/\\/g, '\\\\');
}
