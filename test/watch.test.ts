import { randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../src/main/core/engine';
import { sha256OfFile } from './support/files';
import { openTestWorld, type TestWorld } from './support/engine';
import { headOf, sha256OfObject } from './support/s3Server';
import { runQuire, startQuire } from './support/quireCli';
import { waitFor } from './support/waitFor';

const MIB = 1024 * 1024;
/** Written a minute ago: settled, as far as the quiet rule is concerned. */
const settled = (path: string, secondsAgo = 60) => {
  const at = new Date(Date.now() - secondsAgo * 1000);
  utimesSync(path, at, at);
};

/** The test's own view of the ledger: uploads per key, and how many S3 requests were made. */
function ledgerFacts(dataDir: string) {
  const db = new Database(join(dataDir, 'ledger.sqlite'), { readonly: true });
  try {
    return {
      uploads: db.prepare('SELECT object_key AS key, status FROM uploads').all() as { key: string; status: string }[],
      requests: (db.prepare('SELECT count(*) AS n FROM operations').get() as { n: number }).n,
      copies: (db.prepare("SELECT count(*) AS n FROM operations WHERE operation = 'copy'").get() as { n: number }).n,
    };
  } finally {
    db.close();
  }
}

/**
 * Watch folders against the real radosgw, on real folders: the ledger, not the watcher, decides
 * what is sent, so nothing unchanged is sent twice, a rename is a copy inside the bucket, and
 * nothing is deleted remotely.
 */
describe('a watch folder', () => {
  let world: TestWorld;
  let dataDir: string;
  const engines: Engine[] = [];
  const reopen = () => {
    const engine = Engine.open({ dataDir, env: {} });
    engines.push(engine);
    return engine;
  };

  beforeAll(async () => {
    world = await openTestWorld('watch');
    dataDir = world.engine.dataDir;
    await world.engine.close();
  });
  afterAll(async () => {
    for (const engine of engines) await engine.close();
  });

  it('of 10,000 files in 1,000 folders syncs each once; after a restart sends nothing; changes made while stopped go as they should', async () => {
    const root = join(world.home, 'assets');
    const path = (folder: number, file: number) => join(root, `part-${String(folder).padStart(4, '0')}`, `asset-${file}.txt`);
    for (let folder = 0; folder < 1000; folder += 1) {
      mkdirSync(join(root, `part-${String(folder).padStart(4, '0')}`), { recursive: true });
      for (let file = 0; file < 10; file += 1) {
        writeFileSync(path(folder, file), randomBytes(64));
        settled(path(folder, file));
      }
    }
    let engine = reopen();
    const added = await engine.watch.add({ path: root, to: 'books/assets/tree/' });
    expect(added).toMatchObject({ path: root, to: 'books/assets/tree/', state: 'idle' });
    await engine.run();
    let facts = ledgerFacts(dataDir);
    expect(facts.uploads).toHaveLength(10_000);
    expect(new Set(facts.uploads.map((u) => u.key)).size).toBe(10_000);
    expect(facts.uploads.every((u) => u.status === 'verified')).toBe(true);
    expect(engine.watch.list()[0]!.files).toEqual({ synced: 10_000, pending: 0, ignored: 0, missing: 0 });
    await engine.close();

    // A restart with nothing changed: not one request to the server.
    const before = ledgerFacts(dataDir);
    engine = reopen();
    await engine.run();
    facts = ledgerFacts(dataDir);
    expect(facts.requests).toBe(before.requests);
    expect(facts.uploads).toHaveLength(10_000);
    await engine.close();

    // While Quire is closed: 5 edited, 5 added, 5 deleted, 5 renamed.
    const key = (folder: number, file: number) => `books/assets/tree/part-${String(folder).padStart(4, '0')}/asset-${file}.txt`;
    for (let i = 0; i < 5; i += 1) {
      writeFileSync(path(i, 0), randomBytes(80)); // edited
      settled(path(i, 0), 30);
      writeFileSync(path(i, 10), randomBytes(64)); // added
      settled(path(i, 10));
      rmSync(path(100 + i, 0)); // deleted
      renameSync(path(200 + i, 0), path(200 + i, 99)); // renamed
    }
    const renamedSha = await sha256OfFile(path(200, 99));
    engine = reopen();
    await engine.run();
    facts = ledgerFacts(dataDir);
    expect(facts.uploads).toHaveLength(10_010); // the 5 edited and the 5 added, nothing else
    for (let i = 0; i < 5; i += 1) {
      expect(await sha256OfObject(world.s3, world.bucket, key(i, 0))).toBe(await sha256OfFile(path(i, 0)));
      expect(await sha256OfObject(world.s3, world.bucket, key(i, 10))).toBe(await sha256OfFile(path(i, 10)));
      expect(await headOf(world.s3, world.bucket, key(100 + i, 0))).toBeTruthy(); // deleted locally, kept remotely
      expect(await headOf(world.s3, world.bucket, key(200 + i, 99))).toBeTruthy(); // renamed: copied
    }
    expect(facts.copies).toBe(5);
    expect(await sha256OfObject(world.s3, world.bucket, key(200, 99))).toBe(renamedSha);
    expect(engine.watch.list()[0]!.files).toEqual({ synced: 10_000, pending: 0, ignored: 0, missing: 5 });
    await engine.close();
  });

  it('never sends temporary, system or dot files; keeps an object someone else changed; says a vanished folder is unavailable and deletes nothing', async () => {
    const root = join(world.home, 'manuscript');
    mkdirSync(join(root, '.git'), { recursive: true });
    const files = { 'novel.pdf': 'the novel', 'draft.tmp': 'tmp', '~$novel.docx': 'lock', '.hidden': 'dot', 'Thumbs.db': 'os', '.git/config': 'git', 'export.part': 'half' };
    for (const [name, content] of Object.entries(files)) {
      writeFileSync(join(root, name), content);
      settled(join(root, name));
    }
    let engine = reopen();
    const folder = await engine.watch.add({ path: root, to: 'books/content/novel/', exclude: ['*.part'] });
    await engine.run();
    const keys = () => ledgerFacts(dataDir).uploads.map((u) => u.key).filter((k) => k.startsWith('books/content/novel/'));
    expect(keys()).toEqual(['books/content/novel/novel.pdf']);

    // Someone else changes the object; then the author edits the file: both are kept.
    await world.s3.client.send(new PutObjectCommand({ Bucket: world.bucket, Key: 'books/content/novel/novel.pdf', Body: 'an editor wrote this' }));
    writeFileSync(join(root, 'novel.pdf'), 'the novel, revised');
    settled(join(root, 'novel.pdf'), 30);
    await engine.run();
    expect(keys().sort()).toEqual(['books/content/novel/novel (2).pdf', 'books/content/novel/novel.pdf']);
    const theirs = await world.s3.client.send(new GetObjectCommand({ Bucket: world.bucket, Key: 'books/content/novel/novel.pdf' }));
    expect(await theirs.Body!.transformToString()).toBe('an editor wrote this');
    expect(await sha256OfObject(world.s3, world.bucket, 'books/content/novel/novel (2).pdf')).toBe(await sha256OfFile(join(root, 'novel.pdf')));
    const row = engine.listUploads({ text: 'novel (2).pdf' }).uploads[0]!;
    expect(row.notice).toMatch(/was changed in the bucket since Quire wrote it; both are kept/);
    await engine.close();

    // The folder vanishes (an unmounted disk): unavailable, nothing marked gone, nothing deleted.
    renameSync(root, `${root}-elsewhere`);
    engine = reopen();
    await engine.run();
    const summary = engine.watch.list().find((f) => f.id === folder.id)!;
    expect(summary.state).toBe('unavailable');
    expect(summary.message).toMatch(/is not there \(unmounted, moved or deleted\)\. Nothing in the bucket is touched/);
    expect(summary.files.missing).toBe(0);
    expect(await headOf(world.s3, world.bucket, 'books/content/novel/novel.pdf')).toBeTruthy();
    await engine.close();

    renameSync(`${root}-elsewhere`, root);
    const requestsBefore = ledgerFacts(dataDir).requests;
    engine = reopen();
    await engine.run();
    expect(engine.watch.list().find((f) => f.id === folder.id)!.state).toBe('idle');
    expect(ledgerFacts(dataDir).requests).toBe(requestsBefore);
    await engine.close();
  });

  it('deletes from the bucket only when asked, never when too many files vanish at once until the author confirms, and moves a renamed file', async () => {
    const root = join(world.home, 'covers');
    mkdirSync(root);
    const name = (i: number) => `cover-${i}.jpg`;
    for (let i = 0; i < 8; i += 1) {
      writeFileSync(join(root, name(i)), randomBytes(100 + i));
      settled(join(root, name(i)));
    }
    const key = (file: string) => `books/covers/drafts/${file}`;
    let engine = reopen();
    const folder = await engine.watch.add({ path: root, to: 'books/covers/drafts/', syncDeletes: true, deleteGuardPercent: 25 });
    await engine.run();
    expect(engine.watch.list().find((f) => f.id === folder.id)!.files.synced).toBe(8);

    // One deleted: its object goes too. One renamed: copied to its new name, the old one deleted.
    rmSync(join(root, name(0)));
    renameSync(join(root, name(1)), join(root, 'cover-final.jpg'));
    await engine.run();
    expect(await headOf(world.s3, world.bucket, key(name(0))).catch(() => null)).toBeNull();
    expect(await headOf(world.s3, world.bucket, key(name(1))).catch(() => null)).toBeNull();
    expect(await sha256OfObject(world.s3, world.bucket, key('cover-final.jpg'))).toBe(await sha256OfFile(join(root, 'cover-final.jpg')));

    // Four of seven vanish at once (an emptied folder?): nothing is deleted until the author says so.
    const kept = new Map<string, { bytes: Buffer; mtime: Date }>();
    const { readFileSync, statSync } = await import('node:fs');
    for (let i = 2; i < 6; i += 1) kept.set(name(i), { bytes: readFileSync(join(root, name(i))), mtime: statSync(join(root, name(i))).mtime });
    const copiesBefore = ledgerFacts(dataDir).copies;
    for (let i = 2; i < 6; i += 1) rmSync(join(root, name(i)));
    await engine.run();
    let summary = engine.watch.list().find((f) => f.id === folder.id)!;
    expect(summary).toMatchObject({ state: 'error', deletesHeld: 4 });
    expect(summary.message).toMatch(/4 of 7 files vanished at once, more than the 25% this folder allows, so nothing was deleted in the bucket/);
    for (let i = 2; i < 6; i += 1) expect(await headOf(world.s3, world.bucket, key(name(i)))).toBeTruthy();
    await engine.run(); // and it stays held
    expect(await headOf(world.s3, world.bucket, key(name(2)))).toBeTruthy();

    // Put one back as it was: it is synced again, not deleted, not sent again, not taken for a rename.
    const uploadsBefore = ledgerFacts(dataDir).uploads.length;
    const keysBefore = new Set(ledgerFacts(dataDir).uploads.map((u, i) => `${i}:${u.key}`));
    writeFileSync(join(root, name(2)), kept.get(name(2))!.bytes);
    utimesSync(join(root, name(2)), kept.get(name(2))!.mtime, kept.get(name(2))!.mtime);
    await engine.run();
    expect(ledgerFacts(dataDir).uploads.map((u, i) => `${i}:${u.key}`).filter((k) => !keysBefore.has(k))).toEqual([]);
    expect(ledgerFacts(dataDir).uploads.length).toBe(uploadsBefore);
    expect(await headOf(world.s3, world.bucket, key(name(2)))).toBeTruthy();
    summary = engine.watch.list().find((f) => f.id === folder.id)!;
    expect(summary.files).toMatchObject({ synced: 4, missing: 3 });
    expect(ledgerFacts(dataDir).copies).toBe(copiesBefore);

    summary = await engine.watch.confirmDeletes(folder.id.slice(0, 8));
    expect(summary).toMatchObject({ deletesHeld: 0, message: null });
    for (let i = 3; i < 6; i += 1) expect(await headOf(world.s3, world.bucket, key(name(i))).catch(() => null)).toBeNull();
    expect(await headOf(world.s3, world.bucket, key(name(2)))).toBeTruthy(); // the one put back stays
    expect(await headOf(world.s3, world.bucket, key(name(6)))).toBeTruthy();
    await engine.close();
  });

  it('sends a file written slowly (10 MB at a time, pausing longer than the quiet period) once, complete', async () => {
    const root = join(world.home, 'exports');
    mkdirSync(root);
    const engine = reopen();
    await engine.watch.add({ path: root, to: 'audiobooks/chapters/' });
    engine.start();
    const target = join(root, 'chapter-12.wav');
    // The way a DAW exports: the file stays open between bursts.
    const handle = await open(target, 'w');
    const chunk = randomBytes(10 * 1000 * 1000);
    for (let i = 0; i < 30; i += 1) {
      await handle.write(chunk);
      await new Promise((resolve) => setTimeout(resolve, 2300));
    }
    await handle.close();
    await waitFor('the chapter verified', () => ledgerFacts(dataDir).uploads.find((u) => u.key === 'audiobooks/chapters/chapter-12.wav' && u.status === 'verified'), 120_000, 250);
    const uploads = ledgerFacts(dataDir).uploads.filter((u) => u.key.startsWith('audiobooks/chapters/chapter-12'));
    expect(uploads).toHaveLength(1);
    expect(await sha256OfObject(world.s3, world.bucket, 'audiobooks/chapters/chapter-12.wav')).toBe(await sha256OfFile(target));
    await engine.stop();
  }, 180_000);

  it('syncing under quire run --follow, stopped by SIGTERM mid-way, sends the rest at the next start, each file once', async () => {
    const root = join(world.home, 'chapters');
    mkdirSync(root);
    for (let i = 0; i < 20; i += 1) {
      writeFileSync(join(root, `chapter-${String(i).padStart(2, '0')}.mp3`), randomBytes(2 * MIB));
      settled(join(root, `chapter-${String(i).padStart(2, '0')}.mp3`));
    }
    const cli = (args: string[]) => runQuire(dataDir, args);
    expect((await cli(['watch', 'add', root, '--to', 'audiobooks/chapters/follow/'])).code).toBe(0);
    expect((await cli(['settings', '--limit-rate', '8MiB'])).code).toBe(0);
    const { child, done } = startQuire(dataDir, ['run', '--follow']);
    const followed = () => ledgerFacts(dataDir).uploads.filter((u) => u.key.startsWith('audiobooks/chapters/follow/'));
    await waitFor('some chapters verified', () => followed().filter((u) => u.status === 'verified').length >= 5 || null, 60_000, 100);
    child.kill('SIGTERM');
    await done;
    expect(followed().filter((u) => u.status === 'verified').length).toBeLessThan(20);
    expect((await cli(['settings', '--limit-rate', '0'])).code).toBe(0);
    expect((await cli(['run'])).code).toBe(0);
    const uploads = followed();
    expect(uploads).toHaveLength(20);
    expect(uploads.every((u) => u.status === 'verified')).toBe(true);
    expect(new Set(uploads.map((u) => u.key)).size).toBe(20);
  });
});
