import { Menu, Tray, nativeImage, type BrowserWindow } from 'electron';
import type { TrayStatus } from '../desktop/trayStatus';

export interface TrayActions {
  open(): void;
  pauseAll(): void;
  resumeAll(): void;
  quit(): void;
}

/**
 * The tray (menu bar) icon and the taskbar/dock progress bar, drawn from a TrayStatus
 * (desktop/trayStatus.ts decides it). Updated at most as often as the queue's state changes.
 */
export class QuireTray {
  private readonly tray: Tray;
  private last = '';

  constructor(
    iconPath: string,
    private readonly window: () => BrowserWindow | null,
    private readonly actions: TrayActions,
  ) {
    // macOS draws a "…Template.png" (black and clear, with its @2x beside it) in the menu bar's
    // own colours, light or dark; the other systems get the coloured icon at tray size.
    const icon = nativeImage.createFromPath(iconPath);
    const template = iconPath.endsWith('Template.png');
    this.tray = new Tray(icon.isEmpty() ? nativeImage.createEmpty() : template ? icon : icon.resize({ width: 16, height: 16 }));
    this.tray.setToolTip('Quire');
    // A click on the icon opens the window (Windows and most Linux trays; macOS shows the menu).
    this.tray.on('click', () => actions.open());
  }

  show(status: TrayStatus): void {
    if (this.tray.isDestroyed()) return;
    const shape = JSON.stringify(status);
    if (shape === this.last) return;
    this.last = shape;
    this.tray.setToolTip(status.tooltip);
    const { uploading, waiting, failed } = status.counts;
    this.tray.setContextMenu(
      Menu.buildFromTemplate([
        { label: status.headline, enabled: false },
        { label: `${uploading} uploading · ${waiting} waiting · ${failed} failed`, enabled: false },
        { type: 'separator' },
        { label: 'Open Quire', click: () => this.actions.open() },
        { label: 'Pause all', enabled: status.canPauseAll, click: () => this.actions.pauseAll() },
        { label: 'Resume all', enabled: status.canResumeAll, click: () => this.actions.resumeAll() },
        { type: 'separator' },
        { label: 'Quit Quire', click: () => this.actions.quit() },
      ]),
    );
    const window = this.window();
    if (window && !window.isDestroyed()) window.setProgressBar(status.progress, { mode: status.progressMode });
  }

  destroy(): void {
    if (!this.tray.isDestroyed()) this.tray.destroy();
  }
}
