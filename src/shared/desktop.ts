import { z } from 'zod';

/**
 * The desktop app's own choices, kept with the author's other settings (so `quire settings`
 * shows them too; only the desktop app acts on them).
 */
export const desktopSettingsSchema = z.object({
  /** One notification per finished batch and when an upload needs the author; never one per file. */
  notifications: z.boolean(),
  /** Closing the window while uploads run keeps Quire in the tray (false: closing quits). */
  closeKeepsRunning: z.boolean(),
  /** Start Quire (hidden, in the tray) when the author logs in: a watch folder keeps syncing. */
  openAtLogin: z.boolean(),
});
export type DesktopSettings = z.infer<typeof desktopSettingsSchema>;

export const defaultDesktopSettings: DesktopSettings = {
  notifications: true,
  closeKeepsRunning: true,
  openAtLogin: false,
};

/** Where the desktop host asks the window to go: a view, and in the queue an upload's details. */
export const appViews = ['upload', 'queue', 'watch', 'history', 'storage', 'analytics', 'connections', 'settings'] as const;
export type AppView = (typeof appViews)[number];

/** `app.show`: the desktop host brings the window to a view (a notification clicked, the tray). */
export interface AppShowEvent {
  view: AppView;
  /** In the queue: the upload whose details to open. */
  uploadId?: string;
  /** In Upload: files and folders Quire was opened with, previewed there before anything is queued. */
  paths?: string[];
}
