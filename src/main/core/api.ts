import { commands, parseCommandInput, type CommandInput, type CommandName, type CommandResult, type Outcome } from '../../shared/contract';
import type { Engine, UploadTarget } from './engine';
import { QuireError } from './errors';
import { browseFolder } from './files/browseFolder';

/** What a host passes with a call besides its input: a signal that stops a long command (Ctrl-C). */
export interface CallContext {
  signal?: AbortSignal;
}

export type ApiHandlers = { [K in CommandName]: (input: CommandInput<K>, context: CallContext) => Promise<CommandResult<K>> };

/** The engine behind each contract command; every host dispatches through this one table. */
export function createApiHandlers(engine: Engine): ApiHandlers {
  return {
    'connections.list': async () => engine.connections.list(),
    'connections.add': async ({ connection, secret }) => engine.addConnection(connection, secret ? { kind: 'given', secret } : { kind: 'environment' }),
    'connections.test': async ({ name }) => engine.connections.test(name),
    'connections.remove': async ({ name }) => {
      await engine.connections.remove(name);
      return null;
    },
    'connections.setDefault': async ({ name }) => engine.connections.setDefault(name),
    'uploads.preview': async (input) => engine.preview(input),
    'uploads.enqueue': async (input) => engine.enqueue(input),
    'uploads.list': async (input) => engine.listUploads(input),
    'uploads.details': async ({ id }) => engine.details(id),
    'queue.run': async (_input, { signal }) => engine.run(signal),
    'queue.state': async () => engine.queueState(),
    'uploads.pause': async (target) => engine.pause(uploadTarget(target)),
    'uploads.resume': async (target) => engine.resume(uploadTarget(target)),
    'uploads.cancel': async (target) => engine.cancel(uploadTarget(target)),
    'uploads.asIs': async (target) => engine.uploadAsIs(uploadTarget(target)),
    'images.preview': async (input) => engine.previewImage(input),
    'orphans.list': async ({ connection }) => engine.orphans({ connection }),
    'orphans.abort': async ({ connection, olderThanSeconds, s3UploadIds }) => engine.orphans({ connection, abort: true, olderThanMs: olderThanSeconds === undefined ? undefined : olderThanSeconds * 1000, s3UploadIds }),
    'settings.get': async () => engine.getSettings(),
    'settings.update': async (update) => engine.updateSettings(update),
    'objects.verify': async ({ key, connection }) => engine.verify(key, connection),
    'objects.link': async ({ key, expiresInSeconds, connection }) => engine.link(key, expiresInSeconds, connection),
    'files.browse': async ({ path }) => browseFolder(path),
    'watch.add': async (input) => engine.watch.add(input),
    'watch.list': async () => engine.watch.list(),
    'watch.pause': async ({ id }) => engine.watch.pause(id),
    'watch.resume': async ({ id }) => engine.watch.resume(id),
    'watch.remove': async ({ id }) => {
      engine.watch.remove(id);
      return null;
    },
    'watch.scan': async ({ id }) => engine.watch.scan(id),
    'watch.confirmDeletes': async ({ id }) => engine.watch.confirmDeletes(id),
    'usage.get': async ({ connection, egressGiB }) => engine.usage.report(engine.connections.resolve(connection), { egressGiB }),
    'usage.scan': async ({ connection, wait }) => engine.scanUsage(connection, wait),
    'usage.cancelScan': async ({ connection }) => {
      const resolved = engine.connections.resolve(connection);
      await engine.usage.cancel(resolved.id);
      return engine.usage.report(resolved);
    },
    'temp.list': async ({ connection }) => engine.oldTempObjects(connection),
    'temp.remove': async ({ connection, keys }) => engine.removeOldTemp(keys, connection),
    'usage.setQuota': async ({ connection, quotaBytes, prices }) => engine.usage.setQuota(engine.connections.resolve(connection), { quotaBytes, prices }),
    'stats.get': async (input) => engine.analytics(input),
  };
}

function uploadTarget(target: CommandInput<'uploads.pause'>): UploadTarget {
  if ('all' in target) return 'all';
  if ('status' in target) return { status: target.status };
  return target.ids;
}

/**
 * Validates an input from outside (IPC, WebSocket, the CLI's flags) against the contract and runs
 * it: the one place inputs are checked. Unknown commands and bad inputs come back as `usage`
 * errors and never reach the engine; nothing throws across a boundary.
 */
export async function dispatch(handlers: ApiHandlers, name: string, rawInput: unknown, context: CallContext = {}): Promise<Outcome<unknown>> {
  if (!Object.hasOwn(commands, name)) return { ok: false, error: { code: 'usage', message: `Unknown command "${name}".`, retryable: false } };
  const commandName = name as CommandName;
  const parsed = parseCommandInput(commandName, rawInput);
  if (!parsed.ok) return { ok: false, error: { code: 'usage', message: parsed.message, retryable: false } };
  try {
    const handler = handlers[commandName] as (input: unknown, context: CallContext) => Promise<unknown>;
    return { ok: true, value: await handler(parsed.value, context) };
  } catch (error) {
    if (error instanceof QuireError) return { ok: false, error: error.toData() };
    return { ok: false, error: { code: 'internal', message: error instanceof Error ? error.message : String(error), retryable: false } };
  }
}
