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

/** Sleep, wake and the network, as the queue driver hears them. Returns the function that stops listening. */
export function watchSystem(driver: QueueDriver): () => void {
  const suspend = () => void driver.suspend();
  const resume = () => void driver.resume();
  powerMonitor.on('suspend', suspend);
  powerMonitor.on('resume', resume);
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
  };
}

/** One notification; a click runs `onClick` (the window opens where it says). */
export function showNotification(notification: DesktopNotification, onClick: () => void): void {
  if (!Notification.isSupported()) return;
  const shown = new Notification({ title: notification.title, body: notification.body, silent: false });
  shown.on('click', onClick);
  shown.show();
}

/** Open at login: the OS's login items on macOS and Windows, the XDG autostart entry on Linux. */
export async function applyOpenAtLogin(openAtLogin: boolean): Promise<void> {
  const plan = loginItemPlan(openAtLogin, { platform: process.platform, env: process.env, execPath: process.execPath });
  if (plan.kind === 'os') app.setLoginItemSettings(plan.settings);
  else await applyAutostart(plan);
}
