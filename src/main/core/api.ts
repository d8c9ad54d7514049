import { commands, type CommandInput, type CommandName, type CommandResult, type Outcome } from '../../shared/contract';
import type { Engine } from './engine';
import { QuireError } from './errors';

export type ApiHandlers = { [K in CommandName]: (input: CommandInput<K>) => Promise<CommandResult<K>> };

/** The engine behind each contract command; every host dispatches through this one table. */
export function createApiHandlers(engine: Engine): ApiHandlers {
  return {
    'connections.list': async () => engine.connections.list(),
    'connections.add': async ({ connection, secret }) => engine.connections.add(connection, secret ? { kind: 'given', secret } : { kind: 'environment' }),
    'connections.test': async ({ name }) => engine.connections.test(name),
    'connections.remove': async ({ name }) => {
      await engine.connections.remove(name, (id) => engine.uploads.hasUnfinished(id));
      return null;
    },
    'connections.setDefault': async ({ name }) => engine.connections.setDefault(name),
    'uploads.enqueue': async (input) => engine.enqueue(input),
    'uploads.list': async () => engine.listUploads(),
    'queue.run': async () => engine.run(),
    'uploads.pause': async (target) => engine.pause('all' in target ? 'all' : target.ids),
    'uploads.resume': async (target) => engine.resume('all' in target ? 'all' : target.ids),
    'uploads.cancel': async ({ ids }) => engine.cancel(ids),
    'orphans.list': async ({ connection }) => engine.orphans({ connection }),
    'orphans.abort': async ({ connection, olderThanSeconds }) => engine.orphans({ connection, abort: true, olderThanMs: olderThanSeconds === undefined ? undefined : olderThanSeconds * 1000 }),
    'settings.get': async () => engine.getPreferences(),
    'settings.update': async (update) => engine.updatePreferences(update),
    'objects.verify': async ({ key, connection }) => engine.verify(key, connection),
    'objects.link': async ({ key, expiresInSeconds, connection }) => engine.link(key, expiresInSeconds, connection),
  };
}

/**
 * Validates an input from outside (IPC, HTTP, WebSocket) against the contract and runs it.
 * Unknown commands and bad inputs come back as `usage` errors; nothing throws across a boundary.
 */
export async function dispatch(handlers: ApiHandlers, name: string, rawInput: unknown): Promise<Outcome<unknown>> {
  if (!Object.hasOwn(commands, name)) return { ok: false, error: { code: 'usage', message: `Unknown command "${name}".`, retryable: false } };
  const commandName = name as CommandName;
  const parsed = commands[commandName].input.safeParse(rawInput ?? {});
  if (!parsed.success) {
    const detail = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'input'}: ${issue.message}`).join('; ');
    return { ok: false, error: { code: 'usage', message: `${name}: ${detail}`, retryable: false } };
  }
  try {
    const handler = handlers[commandName] as (input: unknown) => Promise<unknown>;
    return { ok: true, value: await handler(parsed.data) };
  } catch (error) {
    if (error instanceof QuireError) return { ok: false, error: error.toData() };
    return { ok: false, error: { code: 'internal', message: error instanceof Error ? error.message : String(error), retryable: false } };
  }
}
