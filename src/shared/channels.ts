/**
 * The names of the contract's commands and events, without their schemas: the sandboxed preload
 * allow-lists these and must not carry zod. contract.ts maps each name to its schema, and the
 * compiler refuses a name without one or a schema without a name.
 */
export const commandNames = [
  'connections.list',
  'connections.add',
  'connections.test',
  'connections.remove',
  'connections.setDefault',
  'uploads.preview',
  'uploads.enqueue',
  'uploads.list',
  'uploads.details',
  'queue.run',
  'queue.state',
  'uploads.pause',
  'uploads.resume',
  'uploads.cancel',
  'uploads.asIs',
  'images.preview',
  'orphans.list',
  'orphans.abort',
  'settings.get',
  'settings.update',
  'objects.verify',
  'objects.link',
  'files.browse',
  'watch.add',
  'watch.list',
  'watch.pause',
  'watch.resume',
  'watch.remove',
  'watch.scan',
  'watch.confirmDeletes',
  'usage.get',
  'usage.scan',
  'usage.cancelScan',
  'usage.setQuota',
  'temp.list',
  'temp.remove',
  'stats.get',
] as const;
export type CommandName = (typeof commandNames)[number];

// app.show comes from the desktop host itself (a notification or the tray asks the window to show something).
export const eventNames = ['upload.changed', 'queue.state', 'connection.refused', 'watch.changed', 'usage.changed', 'app.show'] as const;
export type EventName = (typeof eventNames)[number];

export const INVOKE_CHANNEL = 'quire:invoke';
export const EVENT_CHANNEL = 'quire:event';
