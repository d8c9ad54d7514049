import { execFileSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EnqueueResult } from '../src/shared/upload';
import { openTestWorld, type TestWorld } from './support/engine';

/** Anything a terminal would act on or reorder rather than show. */
// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/**
 * What a dropped folder's links and special files become: links to files inside the folder are
 * uploaded under their own names, everything else is left out and said so (never silently).
 * Enqueueing only queues, so these look at the queued rows and the report, not at the bucket.
 */
describe('entries of a dropped folder', () => {
  let world: TestWorld;
  let drops: string;
  let book: string;
  let socketServer: Server;

  const keysOf = (result: EnqueueResult) => result.queued.map((upload) => upload.objectKey).sort();
  const skippedNames = (result: EnqueueResult) => result.skipped.map((entry) => entry.path.slice(book.length + 1));
  const reasonFor = (result: EnqueueResult, name: string) => result.skipped.find((entry) => entry.path === join(book, name))?.reason;

  beforeAll(async () => {
    world = await openTestWorld('enqueue');
    drops = join(world.home, 'drops');
    book = join(drops, 'Book');
    const outside = join(drops, 'outside');
    await mkdir(join(book, 'art'), { recursive: true });
    await mkdir(outside, { recursive: true });
    await writeFile(join(book, 'ch1.pdf'), 'chapter one');
    await writeFile(join(book, 'art', 'scan-0001.png'), 'a cover');
    await writeFile(join(book, '.DS_Store'), 'litter');
    await writeFile(join(outside, 'id_rsa.pdf'), 'not for sharing');

    await symlink('art/scan-0001.png', join(book, 'front-cover.png')); // to a file inside: followed
    await symlink(join(book, 'ch1.pdf'), join(book, 'latest.pdf')); // absolute, still inside: followed
    await symlink('../outside/id_rsa.pdf', join(book, 'keys.pdf')); // out of the folder
    await symlink('art', join(book, 'all-art')); // to a folder inside
    await symlink('..', join(book, 'up')); // to the parent: following it would loop
    await symlink('missing.pdf', join(book, 'broken.pdf'));
    await symlink('self.pdf', join(book, 'self.pdf'));
    execFileSync('mkfifo', [join(book, 'pipe')]);
    await symlink('pipe', join(book, 'pipe-link.pdf'));
    socketServer = createServer();
    await new Promise<void>((listening) => socketServer.listen(join(book, 'sock'), listening));
  });

  afterAll(() => new Promise<void>((closed) => socketServer.close(() => closed())));

  it('uploads links to files inside the folder under their own names, and reports every other link or special file', async () => {
    const result = await world.engine.enqueue({ paths: [book], to: 'drop' });
    expect(result.rejected).toEqual([]);
    expect(keysOf(result)).toEqual(['drop/Book/art/scan-0001.png', 'drop/Book/ch1.pdf', 'drop/Book/front-cover.png', 'drop/Book/latest.pdf']);
    // Litter (.DS_Store) is not content and is not reported; each link or special file is.
    expect(skippedNames(result).sort()).toEqual(['all-art', 'broken.pdf', 'keys.pdf', 'pipe', 'pipe-link.pdf', 'self.pdf', 'sock', 'up']);
    expect(reasonFor(result, 'keys.pdf')).toMatch(/outside the folder you dropped.*Drop that file itself/);
    expect(reasonFor(result, 'keys.pdf')).toContain(join(realpathSync(drops), 'outside', 'id_rsa.pdf'));
    expect(reasonFor(result, 'all-art')).toMatch(/link to a folder.*not followed/);
    expect(reasonFor(result, 'up')).toMatch(/link to a folder.*not followed/);
    expect(reasonFor(result, 'broken.pdf')).toMatch(/broken link/);
    expect(reasonFor(result, 'self.pdf')).toMatch(/leads back to itself/);
    expect(reasonFor(result, 'pipe')).toMatch(/named pipe \(FIFO\), not a regular file/);
    expect(reasonFor(result, 'pipe-link.pdf')).toMatch(/link to a named pipe/);
    expect(reasonFor(result, 'sock')).toMatch(/socket, not a regular file/);
  });

  it('reads a followed link from the file it leads to, and classifies it by the link name', async () => {
    const { queued } = await world.engine.enqueue({ paths: [book] });
    const cover = queued.find((upload) => upload.objectKey.endsWith('/front-cover.png'))!;
    // Named "front-cover", it is a cover, whatever the scanned file is called.
    expect(cover.objectKey).toBe('books/covers/Book/front-cover.png');
    // Pointing the link elsewhere after queueing cannot change what is sent.
    expect(cover.sourcePath).toBe(realpathSync(join(book, 'art', 'scan-0001.png')));
  });

  it('follows a link the author names directly, wherever it points', async () => {
    const direct = join(drops, 'named.pdf');
    await symlink(join(drops, 'outside', 'id_rsa.pdf'), direct);
    const result = await world.engine.enqueue({ paths: [direct], to: 'drop' });
    expect(keysOf(result)).toEqual(['drop/named.pdf']);
    expect(result.skipped).toEqual([]);
  });

  it('walks a folder named through a link, judging the links inside against the real folder', async () => {
    const linkedBook = join(drops, 'Book-link');
    await symlink(book, linkedBook);
    const result = await world.engine.enqueue({ paths: [linkedBook], to: 'drop' });
    expect(keysOf(result)).toEqual(['drop/Book-link/art/scan-0001.png', 'drop/Book-link/ch1.pdf', 'drop/Book-link/front-cover.png', 'drop/Book-link/latest.pdf']);
    expect(result.skipped.map((entry) => entry.path)).toContain(join(linkedBook, 'keys.pdf'));
  });

  it('refuses a named pipe named directly, naming it', async () => {
    const result = await world.engine.enqueue({ paths: [join(book, 'pipe')] });
    expect(result.queued).toEqual([]);
    expect(result.rejected[0]!.error.message).toMatch(/pipe: not a regular file or folder/);
  });

  it('refuses names with a backslash, a terminal escape or a direction override, each named escaped, and queues the rest', async () => {
    const mixed = join(drops, 'Mixed');
    await mkdir(mixed, { recursive: true });
    await writeFile(join(mixed, 'fine.pdf'), 'ok');
    await writeFile(join(mixed, 'Part 1\\ch1.pdf'), 'a backslash is a name character on Linux');
    await writeFile(join(mixed, 'red\u001b[31m.pdf'), 'escape');
    await writeFile(join(mixed, 'c1\u009b2J.pdf'), 'C1 escape');
    await writeFile(join(mixed, 'invoice\u202egpj.exe'), 'reversed');
    const result = await world.engine.enqueue({ paths: [mixed], to: 'drop' });
    expect(keysOf(result)).toEqual(['drop/Mixed/fine.pdf']);
    const messages = result.rejected.map((rejected) => rejected.error.message).sort();
    expect(messages).toHaveLength(4);
    for (const message of messages) expect(message).not.toMatch(RAW_CONTROL);
    expect(messages.find((m) => m.includes('Part 1\\ch1.pdf'))).toMatch(/backslash.*Rename it/);
    expect(messages.find((m) => m.includes('red\\x1b[31m.pdf'))).toMatch(/control character \(\\x1b\)/);
    expect(messages.find((m) => m.includes('c1\\x9b2J.pdf'))).toMatch(/control character \(\\x9b\)/);
    expect(messages.find((m) => m.includes('invoice\\u202egpj.exe'))).toMatch(/display differently/);
    // The path itself is data, kept exact, so a host can point at the very file.
    expect(result.rejected.map((rejected) => rejected.path)).toContain(join(mixed, 'red\u001b[31m.pdf'));
  });

  it('reports a skipped link whose target has control characters with them escaped', async () => {
    const odd = join(drops, 'Odd');
    await mkdir(odd, { recursive: true });
    await writeFile(join(drops, 'outside', 'evil\u001b]0;title\u0007.pdf'), 'x');
    await symlink(join(drops, 'outside', 'evil\u001b]0;title\u0007.pdf'), join(odd, 'link.pdf'));
    const result = await world.engine.enqueue({ paths: [odd] });
    expect(result.skipped).toHaveLength(1);
    expect(result.skipped[0]!.reason).toContain('evil\\x1b]0;title\\x07.pdf');
    expect(result.skipped[0]!.reason).not.toMatch(RAW_CONTROL);
  });
});
