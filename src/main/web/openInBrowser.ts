import { spawn } from 'node:child_process';

/**
 * Opens an address in the author's browser with the system's own opener, when there is one
 * (xdg-open on Linux desktops, open on macOS, start on Windows). Detached, and never waited for:
 * a headless machine has none, and the address is printed whatever happens here.
 */
export function openInBrowser(url: string): void {
  const [command, args] =
    process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '""', url]] : ['xdg-open', [url]];
  try {
    const child = spawn(command, args as string[], { detached: true, stdio: 'ignore', windowsHide: true });
    child.on('error', () => {});
    child.unref();
  } catch {
    // No opener: the printed address is the way in.
  }
}
