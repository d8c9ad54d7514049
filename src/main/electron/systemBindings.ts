import { app, net, Notification, powerMonitor, powerSaveBlocker } from 'electron';
import type { DesktopNotification } from '../desktop/notificationPlanner';
import { applyAutostart, loginItemPlan } from '../desktop/loginItem';
import type { PowerPort, QueueDriver } from '../desktop/queueDriver';

/** How often the OS's network state is looked at (Electron's main process has no online event). */
const NETWORK_POLL_MS = 3000;

/** Keeps the app from being suspended (not the display from sleeping) while uploads run. */
export const electronPower: PowerPort = {
  preventSuspension() {
    const id = powerSaveBlocker.start('prevent-app-suspension');
    return () => {
      if (powerSaveBlocker.isStarted(id)) powerSaveBlocker.stop(id);
    };
  },
};

/**
 * Sleep, wake, shutdown and the network, as the queue driver and the app hear them. `shutdown`:
 * the system is going down (Linux and macOS; Windows says so to the window, "session-end"), and
 * does not emit before-quit. Returns the function that stops listening.
 */
export function watchSystem(driver: QueueDriver, shutdown: () => void): () => void {
  const suspend = () => void driver.suspend();
  const resume = () => void driver.resume();
  // The engine stops at part boundaries within a moment; the ledger is safe at any exit anyway.
  const goingDown = () => shutdown();
  powerMonitor.on('suspend', suspend);
  powerMonitor.on('resume', resume);
  powerMonitor.on('shutdown', goingDown);
  let online = net.isOnline();
  const poll = setInterval(() => {
    const now = net.isOnline();
    if (now !== online) driver.networkChanged(now);
    online = now;
  }, NETWORK_POLL_MS);
  return () => {
    clearInterval(poll);
    powerMonitor.off('suspend', suspend);
    powerMonitor.off('resume', resume);
    powerMonitor.off('shutdown', goingDown);
  };
}

/** Shown notifications, kept until closed: one collected by the garbage collector loses its click. */
const shown = new Set<Notification>();

/** One notification; a click runs `onClick` (the window opens where it says). False where the system has none. */
export function showNotification(notification: DesktopNotification, onClick: () => void): boolean {
  if (!Notification.isSupported()) return false;
  const toast = new Notification({ title: notification.title, body: notification.body, silent: false });
  const forget = () => shown.delete(toast);
  toast.on('click', () => {
    forget();
    onClick();
  });
  toast.on('close', forget);
  toast.on('failed', forget);
  shown.add(toast);
  toast.show();
  return true;
}

/** Open at login: the OS's login items on macOS and Windows, the XDG autostart entry on Linux. */
export async function applyOpenAtLogin(openAtLogin: boolean): Promise<void> {
  const plan = loginItemPlan(openAtLogin, { platform: process.platform, env: process.env, execPath: process.execPath });
  if (plan.kind === 'os') app.setLoginItemSettings(plan.settings);
  else await applyAutostart(plan);
}
