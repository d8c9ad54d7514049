import { describe, expect, it } from 'vitest';
import { cliVerbs } from '../src/main/cli/verbs';
import { createApiHandlers, dispatch, type ApiHandlers } from '../src/main/core/api';
import type { Engine } from '../src/main/core/engine';
import { commandNames, commands } from '../src/shared/contract';
import { eventNames } from '../src/shared/channels';

/** Inputs no command accepts: each fails its schema (a string, a number, fields of the wrong type). */
const BAD_INPUTS: unknown[] = ['rm -rf /', 42, { ids: 'all' }, { connection: { name: 7 } }, { key: '', expiresInSeconds: -1 }, { paths: [] }, { status: ['done'] }, { bandwidthLimit: -1 }];

/** A handler table that records every call instead of reaching an engine. */
function recordingHandlers(): { handlers: ApiHandlers; calls: string[] } {
  const calls: string[] = [];
  const handlers = Object.fromEntries(commandNames.map((name) => [name, async () => void calls.push(name)])) as unknown as ApiHandlers;
  return { handlers, calls };
}

describe('the contract', () => {
  it('has a handler for every command, and every command is reachable from the CLI', () => {
    const handlers = createApiHandlers({} as Engine);
    expect(Object.keys(handlers).sort()).toEqual([...commandNames].sort());
    expect(Object.keys(commands).sort()).toEqual([...commandNames].sort());
    expect([...new Set(Object.values(cliVerbs))].sort()).toEqual([...commandNames].sort());
    expect(eventNames).toEqual(['upload.changed', 'queue.state', 'connection.refused', 'watch.changed', 'usage.changed', 'app.show']);
  });

  it('never lets an input that fails its schema reach the engine, and says why plainly', async () => {
    const { handlers, calls } = recordingHandlers();
    let refused = 0;
    for (const name of commandNames) {
      for (const input of BAD_INPUTS) {
        if (commands[name].input.safeParse(input).success) continue;
        const outcome = await dispatch(handlers, name, input);
        expect(outcome.ok, `${name} ${JSON.stringify(input)}`).toBe(false);
        if (!outcome.ok) {
          expect(outcome.error.code).toBe('usage');
          // zod's own wording ("Too big: expected number to be <=604800") never reaches an author.
          expect(outcome.error.message).not.toMatch(/Invalid input|Too big|Too small|expected (string|number|array|object)/);
        }
        refused += 1;
      }
    }
    expect(refused).toBeGreaterThan(commandNames.length * 4);
    expect(calls).toEqual([]);
    expect(await dispatch(handlers, 'uploads.delete-everything', {})).toMatchObject({ ok: false, error: { code: 'usage' } });
    expect(calls).toEqual([]);
  });

  it('passes a valid input, parsed, to its handler exactly once', async () => {
    const { handlers, calls } = recordingHandlers();
    expect(await dispatch(handlers, 'uploads.list', { status: ['failed'] })).toMatchObject({ ok: true });
    expect(calls).toEqual(['uploads.list']);
  });

  it('speaks of the 7-day link limit in words an author reads', async () => {
    const { handlers } = recordingHandlers();
    const outcome = await dispatch(handlers, 'objects.link', { key: 'books/content/a.epub', expiresInSeconds: 8 * 24 * 3600 });
    expect(outcome).toMatchObject({ ok: false, error: { code: 'usage', message: 'expiresInSeconds: a share link lasts from 1 second to 7 days (the longest S3 and Spaces allow)' } });
    const page = await dispatch(handlers, 'uploads.list', { limit: 5000 });
    expect(page).toMatchObject({ ok: false, error: { message: 'limit: must be at most 1,000' } });
  });
});
