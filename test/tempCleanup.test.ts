import { describe, expect, it } from 'vitest';
import { openScriptedWorld } from './support/scriptedWorld';

/** The 24-hour cleanup of temp/ (fast tier: the scripted bucket's objects are all a day old or more). */
describe('temporary objects', () => {
  it('lists only temp/ objects over a day old, and removes only those the author confirmed', async ({ onTestFinished }) => {
    const world = await openScriptedWorld(onTestFinished);
    const object = (body: string) => ({ body: Buffer.from(body), etag: 'e', sha256: null });
    for (const key of ['temp/a.part', 'temp/b.part', 'temp/c.part', 'books/covers/cover.jpg', 'temporary-notes.txt']) world.bucket.objects.set(key, object(key));
    const listed = await world.engine.oldTempObjects();
    expect(listed.objects.map((o) => o.key)).toEqual(['temp/a.part', 'temp/b.part', 'temp/c.part']);
    expect(listed.bytes).toBe('temp/a.part'.length * 3);

    const result = await world.engine.removeOldTemp(['temp/a.part', 'temp/b.part', 'books/covers/cover.jpg', 'temp/gone.part']);
    expect(result.removed).toEqual(['temp/a.part', 'temp/b.part']);
    expect(result.kept.map((k) => k.key)).toEqual(['books/covers/cover.jpg', 'temp/gone.part']);
    expect(result.kept[0]!.reason).toMatch(/not under temp\//);
    expect([...world.bucket.objects.keys()].sort()).toEqual(['books/covers/cover.jpg', 'temp/c.part', 'temporary-notes.txt']);
  });
});
