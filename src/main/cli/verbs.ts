import type { CommandName } from '../../shared/contract';

/**
 * Which contract command each `quire` verb calls. The CLI reaches the engine only through these
 * (and `dispatch`), so its inputs are validated by the contract like every other host's; a test
 * checks that every command of the contract has a verb here.
 */
export const cliVerbs = {
  'connect add': 'connections.add',
  'connect list': 'connections.list',
  'connect test': 'connections.test',
  'connect remove': 'connections.remove',
  'connect default': 'connections.setDefault',
  upload: 'uploads.enqueue',
  'upload --dry-run': 'uploads.preview',
  show: 'uploads.details',
  browse: 'files.browse',
  'watch add': 'watch.add',
  'watch list': 'watch.list',
  'watch pause': 'watch.pause',
  'watch resume': 'watch.resume',
  'watch remove': 'watch.remove',
  'watch scan': 'watch.scan',
  'watch confirm-deletes': 'watch.confirmDeletes',
  queue: 'uploads.list',
  run: 'queue.run',
  status: 'queue.state',
  pause: 'uploads.pause',
  resume: 'uploads.resume',
  cancel: 'uploads.cancel',
  'resume --as-is': 'uploads.asIs',
  'images preview': 'images.preview',
  orphans: 'orphans.list',
  'orphans --abort': 'orphans.abort',
  settings: 'settings.get',
  'settings --limit-rate': 'settings.update',
  verify: 'objects.verify',
  link: 'objects.link',
  usage: 'usage.get',
  'usage --refresh': 'usage.scan',
  'usage --cancel': 'usage.cancelScan',
  'usage --quota': 'usage.setQuota',
  'cleanup temp': 'temp.list',
  'cleanup temp --remove': 'temp.remove',
  stats: 'stats.get',
} as const satisfies Record<string, CommandName>;

export type CliVerb = keyof typeof cliVerbs;
