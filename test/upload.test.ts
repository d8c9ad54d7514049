import { readFileSync } from 'node:fs';
import { appendFile, mkdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectedMultipartEtag } from '../src/main/core/upload/fileHashes';
import { choosePartSize } from '../src/main/core/upload/partPlan';
import { openTestWorld, type TestWorld } from './support/engine';
import { openLedgerForReading } from './support/ledgerReader';
import { sha256OfFile, writeTestFile } from './support/files';
import { headOf, openMultipartUploads, sha256OfObject } from './support/s3Server';
import { createHash } from 'node:crypto';
import { CreateBucketCommand, DeleteBucketCommand } from '@aws-sdk/client-s3';

const MIB = 1024 * 1024;

describe('uploads against the real S3 server', () => {
  let world: TestWorld;
  let files: string;

  beforeAll(async () => {
    world = await openTestWorld('upload');
    files = join(world.home, 'files');
    await mkdir(files, { recursive: true });
  });

  /** Runs the queue; returns the notices the author was shown on the way. */
  async function runCollectingNotices(): Promise<string[]> {
    const notices: string[] = [];
    const listener = (event: { notice?: string }) => event.notice && notices.push(event.notice);
    world.engine.events.on('upload.changed', listener);
    try {
      await world.engine.run();
    } finally {
      world.engine.events.off('upload.changed', listener);
    }
    return notices;
  }

  async function uploadAndCheck(name: string, size: number, method: 'single' | 'multipart') {
    const path = join(files, name);
    const sha256 = await writeTestFile(path, size);
    const { queued, rejected } = await world.engine.enqueue({ paths: [path] });
    expect(rejected).toEqual([]);
    expect(queued).toHaveLength(1);
    expect(queued[0]!.method).toBe(method);
    const result = await world.engine.run();
    expect(result).toMatchObject({ verified: 1, failed: 0 });
    const row = world.engine.uploads.get(queued[0]!.id)!;
    expect(row.status).toBe('verified');
    expect(row.sha256).toBe(sha256);
    // The bytes in the bucket are the bytes on disk.
    expect(await sha256OfObject(world.s3, world.bucket, row.objectKey)).toBe(sha256);
    const head = await headOf(world.s3, world.bucket, row.objectKey);
    expect(head.ContentLength).toBe(size);
    expect(head.Metadata?.sha256).toBe(sha256);
    expect(head.ETag?.replaceAll('"', '')).toBe(row.etag);
    return { row, path, sha256 };
  }

  it('uploads and verifies a 0-byte file', async () => {
    const { row } = await uploadAndCheck('empty.txt', 0, 'single');
    expect(row.objectKey).toBe('books/content/empty.txt');
    expect(row.etag).toBe('d41d8cd98f00b204e9800998ecf8427e');
  });

  it('uploads and verifies a 1 KiB file', async () => {
    const { row } = await uploadAndCheck('note.md', 1024, 'single');
    expect(row.objectKey).toBe('books/content/note.md');
  });

  it('uploads a 10 MiB + 1 byte file in parts, with the multipart ETag predicted locally', async () => {
    const { row, path } = await uploadAndCheck('chapter-01.wav', 10 * MIB + 1, 'multipart');
    expect(row.objectKey).toBe('audiobooks/chapters/chapter-01.wav');
    // The test's own part MD5s, from the file's bytes.
    const bytes = readFileSync(path);
    const partSize = choosePartSize(row.size);
    const partMd5s = [0, partSize].map((offset) => createHash('md5').update(bytes.subarray(offset, offset + partSize)).digest('hex'));
    expect(row.etag).toBe(expectedMultipartEtag(partMd5s));
    expect(row.etag).toMatch(/-2$/);
  });

  it('uploads and verifies a 1 GiB file with bounded memory', async () => {
    const before = process.memoryUsage().rss;
    const { row } = await uploadAndCheck('audiobook-full.m4b', 1024 * MIB, 'multipart');
    expect(row.etag).toMatch(/-103$/);
    // Memory is part size x parts in flight, not the file size.
    expect(process.memoryUsage().rss - before).toBeLessThan(400 * MIB);
    expect(await openMultipartUploads(world.s3, world.bucket)).toBe(0);
    // Every part was sent once: nothing was re-sent on a clean run.
    expect(world.engine.uploads.bytesSentFor(row.id)).toBe(1024 * MIB);
  }, 600_000);

  it('keeps both when a different file already has the key, and never overwrites silently', async () => {
    const first = join(files, 'a');
    const second = join(files, 'b');
    await mkdir(first);
    await mkdir(second);
    await writeFile(join(first, 'cover.jpg'), 'first cover');
    await writeFile(join(second, 'cover.jpg'), 'second cover');
    await world.engine.enqueue({ paths: [join(first, 'cover.jpg')] });
    await world.engine.run();
    const { queued } = await world.engine.enqueue({ paths: [join(second, 'cover.jpg')] });
    await world.engine.run();
    const row = world.engine.uploads.get(queued[0]!.id)!;
    expect(row.status).toBe('verified');
    expect(row.objectKey).toBe('books/covers/cover (2).jpg');
    expect(await sha256OfObject(world.s3, world.bucket, 'books/covers/cover.jpg')).toBe(createHash('sha256').update('first cover').digest('hex'));
    expect(await sha256OfObject(world.s3, world.bucket, 'books/covers/cover (2).jpg')).toBe(createHash('sha256').update('second cover').digest('hex'));
  });

  it('overwrites only when asked to', async () => {
    const path = join(files, 'b', 'cover.jpg');
    await writeFile(path, 'replacement cover');
    const { queued } = await world.engine.enqueue({ paths: [path], onConflict: 'overwrite' });
    await world.engine.run();
    expect(world.engine.uploads.get(queued[0]!.id)!.objectKey).toBe('books/covers/cover.jpg');
    expect(await sha256OfObject(world.s3, world.bucket, 'books/covers/cover.jpg')).toBe(createHash('sha256').update('replacement cover').digest('hex'));
  });

  it('recognises an identical file already in the bucket and does not send it again', async () => {
    const path = join(files, 'b', 'cover.jpg');
    const { queued } = await world.engine.enqueue({ paths: [path] });
    await world.engine.run();
    const row = world.engine.uploads.get(queued[0]!.id)!;
    expect(row.status).toBe('verified');
    expect(row.objectKey).toBe('books/covers/cover.jpg');
    expect(world.engine.uploads.bytesSentFor(row.id)).toBe(0);
  });

  it('uploads a folder keeping its structure, skipping temporary files', async () => {
    const book = join(files, 'My Audiobook');
    await mkdir(join(book, 'disc 2'), { recursive: true });
    await writeFile(join(book, 'intro.mp3'), 'intro');
    await writeFile(join(book, 'disc 2', 'ch 9.mp3'), 'ch9');
    await writeFile(join(book, 'half.mp3.part'), 'partial download');
    await writeFile(join(book, '.DS_Store'), 'litter');
    const { queued, rejected } = await world.engine.enqueue({ paths: [book] });
    expect(rejected).toEqual([]);
    expect(queued.map((u) => u.objectKey).sort()).toEqual(['audiobooks/chapters/My Audiobook/disc 2/ch 9.mp3', 'audiobooks/chapters/My Audiobook/intro.mp3']);
    expect(await world.engine.run()).toMatchObject({ verified: 2, failed: 0 });
  });

  it('rejects a missing file by name and keeps everything already recorded', async () => {
    const before = world.engine.listUploads().uploads;
    const good = join(files, 'good.txt');
    await writeFile(good, 'fine');
    const { queued, rejected } = await world.engine.enqueue({ paths: [join(files, 'nope.pdf'), good] });
    expect(rejected).toHaveLength(1);
    expect(rejected[0]!.error.code).toBe('file_missing');
    expect(rejected[0]!.error.message).toContain('nope.pdf');
    expect(queued).toHaveLength(1);
    expect(world.engine.listUploads().uploads.slice(0, before.length)).toEqual(before);
  });

  it('refuses a file name with control characters, naming the file', async () => {
    const path = join(files, 'bad\u0001name.pdf');
    await writeFile(path, 'x');
    const { queued, rejected } = await world.engine.enqueue({ paths: [path] });
    expect(queued).toEqual([]);
    expect(rejected[0]!.error.code).toBe('invalid_name');
    expect(rejected[0]!.error.message).toContain('bad\\x01name.pdf');
  });

  it('refuses files over the connection limit before sending a byte', async () => {
    const path = join(files, 'huge.wav');
    await writeFile(path, '');
    await import('node:fs/promises').then((fs) => fs.truncate(path, 6 * 1024 ** 3)); // sparse: 6 GiB on paper
    const { rejected } = await world.engine.enqueue({ paths: [path] });
    expect(rejected[0]!.error.code).toBe('file_too_large');
    expect(rejected[0]!.error.message).toMatch(/huge\.wav is 6\.0 GiB.*5\.0 GiB/);
  });

  it('uploads the new version of a file changed after it was queued, and says so', async () => {
    const path = join(files, 'manuscript.docx');
    await writeFile(path, 'version 1');
    const { queued } = await world.engine.enqueue({ paths: [path] });
    await writeFile(path, 'version 2 is longer');
    await utimes(path, new Date(), new Date(Date.now() + 5000));
    const notices = await runCollectingNotices();
    const row = world.engine.uploads.get(queued[0]!.id)!;
    expect(row.status).toBe('verified');
    expect(await sha256OfObject(world.s3, world.bucket, row.objectKey)).toBe(await sha256OfFile(path));
    expect(notices.join('\n')).toMatch(/manuscript\.docx changed since it was queued/);
  });

  it('sends a file still being written when it is finished, not a snapshot of half of it', async () => {
    const path = join(files, 'cover-export.png');
    await writeFile(path, 'an older cover');
    const { queued } = await world.engine.enqueue({ paths: [path] });
    // An export rewrites the file while the queue runs: a piece every 200 ms for over a second.
    await writeFile(path, '');
    const pieces = Array.from({ length: 7 }, (_, i) => Buffer.alloc(64 * 1024, i + 1));
    const writing = (async () => {
      for (const piece of pieces) {
        await appendFile(path, piece);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    })();
    const result = await world.engine.run();
    await writing;
    expect(result).toMatchObject({ verified: 1, failed: 0 });
    const row = world.engine.uploads.get(queued[0]!.id)!;
    expect(row.size).toBe(7 * 64 * 1024);
    expect(await sha256OfObject(world.s3, world.bucket, row.objectKey)).toBe(createHash('sha256').update(Buffer.concat(pieces)).digest('hex'));
  });

  it('sends a small file that grew past the multipart threshold after it was queued in parts, and says so', async () => {
    const path = join(files, 'chapter-draft.wav');
    await writeFile(path, 'a placeholder');
    const { queued } = await world.engine.enqueue({ paths: [path] });
    expect(queued[0]!.method).toBe('single');
    const sha256 = await writeTestFile(path, 10 * MIB + 1);
    await utimes(path, new Date(), new Date(Date.now() + 5000));
    const notices = await runCollectingNotices();
    const row = world.engine.uploads.get(queued[0]!.id)!;
    expect(row).toMatchObject({ status: 'verified', method: 'multipart', size: 10 * MIB + 1 });
    expect(row.etag).toMatch(/-\d+$/);
    expect(await sha256OfObject(world.s3, world.bucket, row.objectKey)).toBe(sha256);
    expect(notices.join('\n')).toMatch(/chapter-draft\.wav changed since it was queued/);
  });

  it('looks for orphaned uploads in the bucket twice a day, not at every run', async () => {
    const janitorWorld = await openTestWorld('janitor');
    const ledger = openLedgerForReading(join(janitorWorld.home, 'data'));
    const uploadOne = async (name: string) => {
      const path = join(janitorWorld.home, name);
      await writeFile(path, name);
      await janitorWorld.engine.enqueue({ paths: [path] });
      expect(await janitorWorld.engine.run()).toMatchObject({ verified: 1 });
    };
    await uploadOne('first.pdf');
    const listingsPerCheck = ledger.operationCount('list_multipart');
    expect(listingsPerCheck).toBeGreaterThan(0);
    await uploadOne('second.pdf');
    expect(ledger.operationCount('list_multipart')).toBe(listingsPerCheck);
    // Half a day and an hour later, the next run looks again.
    janitorWorld.engine.connections.recordOrphansChecked(janitorWorld.connection.id, Date.now() - 13 * 3600 * 1000);
    await uploadOne('third.pdf');
    expect(ledger.operationCount('list_multipart')).toBe(2 * listingsPerCheck);
    // Every request in the log says which connection it went to, the janitor's listings too.
    expect(Object.keys(ledger.operationsByConnection())).toEqual([janitorWorld.connection.id]);
    ledger.close();
  });

  it('fails a file deleted after it was queued with a clear message, others unaffected', async () => {
    const gone = join(files, 'gone.pdf');
    const kept = join(files, 'kept.pdf');
    await writeFile(gone, 'soon gone');
    await writeFile(kept, 'stays');
    const { queued } = await world.engine.enqueue({ paths: [gone, kept] });
    await import('node:fs/promises').then((fs) => fs.unlink(gone));
    const result = await world.engine.run();
    expect(result).toMatchObject({ verified: 1, failed: 1 });
    const failed = world.engine.uploads.get(queued[0]!.id)!;
    expect(failed.errorCode).toBe('file_missing');
    expect(failed.errorMessage).toContain('gone.pdf');
    expect(readFileSync(kept, 'utf8')).toBe('stays');
  });

  it('fails every file of a bucket that is gone with one clear message each, without a request per file, and sends them all once it is back', async () => {
    const gone = await openTestWorld('refused');
    const folder = join(gone.home, 'covers');
    await mkdir(folder, { recursive: true });
    for (let i = 0; i < 40; i += 1) await writeFile(join(folder, `cover-${i}.jpg`), `cover ${i}`);
    // The bucket was there when the connection was added; it is deleted since.
    await gone.s3.client.send(new DeleteBucketCommand({ Bucket: gone.bucket }));
    const { queued } = await gone.engine.enqueue({ paths: [folder] });
    expect(queued).toHaveLength(40);

    expect(await gone.engine.run()).toMatchObject({ verified: 0, failed: 40 });
    for (const upload of queued) {
      const row = gone.engine.uploads.get(upload.id)!;
      expect(row).toMatchObject({ status: 'failed', errorCode: 'no_such_bucket' });
      expect(row.errorMessage).toContain(row.sourcePath);
      expect(row.errorMessage).toContain(`"${gone.bucket}" does not exist`);
    }
    // Only the requests already on their way when the first refusal came back were sent.
    const ledger = openLedgerForReading(join(gone.home, 'data'));
    expect(ledger.operationCountForUploads('upload')).toBeLessThanOrEqual(8);
    ledger.close();

    // The author creates the bucket again and resumes: every file goes up.
    await gone.s3.client.send(new CreateBucketCommand({ Bucket: gone.bucket }));
    gone.engine.resume('all');
    expect(await gone.engine.run()).toMatchObject({ verified: 40, failed: 0 });
    const last = gone.engine.uploads.get(queued[39]!.id)!;
    expect(await sha256OfObject(gone.s3, gone.bucket, last.objectKey)).toBe(createHash('sha256').update(readFileSync(last.sourcePath)).digest('hex'));
  });
});
