import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import { dropFiles, expect, expectedSha256, fileSeed, test, type DroppedFile, type QuireFixture } from './fixtures';

/**
 * The Upload view in Chromium against `quire serve` and radosgw: a drop of files and a folder is
 * copied to the host, previewed key by key as the engine classifies it, queued, followed in the
 * Queue to verified, and the bucket holds exactly the dropped bytes. Bad files are refused before
 * anything is sent, each with its own message, and the rest of the drop goes.
 */

const KIB = 1024;
const MIB = 1024 * 1024;
const screenshots = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));

async function screenshotBothThemes(page: Page, name: string): Promise<void> {
  await page.emulateMedia({ colorScheme: 'light' });
  await page.screenshot({ path: join(screenshots, `${name}-light.png`) });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: join(screenshots, `${name}-dark.png`) });
  await page.emulateMedia({ colorScheme: 'light' });
}

/** The object's bytes through a share link, hashed as they stream (a 200 MB WAV never sits in memory). */
async function sha256InBucket(quire: QuireFixture, key: string): Promise<string> {
  const linked = await quire.cli(['link', key, '--json']);
  expect(linked.code, linked.stderr).toBe(0);
  const response = await fetch((JSON.parse(linked.stdout) as { url: string }).url);
  expect(response.status, key).toBe(200);
  const hash = createHash('sha256');
  const reader = response.body!.getReader();
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) hash.update(chunk.value);
  return hash.digest('hex');
}

interface QueuedUpload {
  objectKey: string;
  status: string;
  size: number;
  category: string;
  sourcePath: string;
}

async function queueOf(quire: QuireFixture): Promise<QueuedUpload[]> {
  const listed = await quire.cli(['queue', '--json']);
  expect(listed.code, listed.stderr).toBe(0);
  return JSON.parse(listed.stdout) as QueuedUpload[];
}

test('a dropped PDF, 200 MB WAV, JPEG and folder of 20 files are previewed key by key, queued, verified, and the bucket holds their bytes', async ({ page, quire }) => {
  test.setTimeout(300_000);
  await quire.addConnection();
  // A cap that lets the Queue be seen mid-way through the WAV (about 5 s of it) and costs little.
  expect((await quire.cli(['settings', '--limit-rate', '40MiB'])).code).toBe(0);

  const loose: DroppedFile[] = [
    { name: 'the-long-winter.pdf', mimeType: 'application/pdf', size: 2 * MIB + 123 },
    { name: 'chapter-01.wav', mimeType: 'audio/wav', size: 200 * MIB },
    { name: 'cover-final.jpg', mimeType: 'image/jpeg', size: 300 * KIB },
  ];
  const plates: DroppedFile[] = Array.from({ length: 20 }, (_, i) => {
    const name = `plate-${String(i + 1).padStart(2, '0')}.png`;
    return { name, relativePath: `Illustrations/${name}`, mimeType: 'image/png', size: 10 * KIB + i * 1000 };
  });
  const dropped = [...loose, ...plates];
  // As core/layout/classify.ts files them: a manuscript, an audio chapter, a cover (by its name),
  // and images without a telling name as book assets, the folder's name kept in their keys.
  const expectedKeys = new Map<DroppedFile, string>([
    [loose[0]!, 'books/content/the-long-winter.pdf'],
    [loose[1]!, 'audiobooks/chapters/chapter-01.wav'],
    [loose[2]!, 'books/covers/cover-final.jpg'],
    ...plates.map((file): [DroppedFile, string] => [file, `books/assets/Illustrations/${file.name}`]),
  ]);

  await page.goto(quire.url);
  await page.getByRole('tab', { name: /^Upload/ }).click();
  await expect(page.getByTestId('drop-zone')).toBeVisible();
  await screenshotBothThemes(page, 'upload-empty');

  // Whether the copy to the host showed its progress, however short it was.
  await page.evaluate(() => {
    const seen = { copying: false };
    (window as unknown as { quireSeen: typeof seen }).quireSeen = seen;
    new MutationObserver(() => {
      if (document.querySelector('[aria-label="Copying to Quire"] progress')) seen.copying = true;
    }).observe(document.body, { subtree: true, childList: true });
  });
  await dropFiles(page, '[data-testid=drop-zone]', dropped);

  const rows = page.getByTestId('preview-row');
  await expect(rows).toHaveCount(23, { timeout: 120_000 });
  expect(await page.evaluate(() => (window as unknown as { quireSeen: { copying: boolean } }).quireSeen.copying)).toBe(true);
  const shownKeys = await rows.evaluateAll((elements) => elements.map((element) => element.getAttribute('data-key')));
  expect(new Set(shownKeys)).toEqual(new Set(expectedKeys.values()));
  await expect(page.getByTestId('preview')).toContainText('23 files ready');
  await expect(page.getByTestId('preview-problem')).toHaveCount(0);
  // Each key with its size and type, before anything is sent.
  const wavRow = rows.filter({ hasText: 'audiobooks/chapters/chapter-01.wav' });
  await expect(wavRow).toContainText('200.0 MiB');
  await expect(wavRow.getByRole('combobox', { name: 'Type for chapter-01.wav' })).toHaveValue('auto');
  await expect(wavRow.getByRole('combobox', { name: 'Type for chapter-01.wav' }).locator('option:checked')).toHaveText('Guessed: audio');
  expect(await queueOf(quire)).toEqual([]);
  await screenshotBothThemes(page, 'upload');

  const send = page.getByTestId('upload-send');
  await expect(send).toHaveText('Upload 23 files');
  await send.click();
  await expect(page.getByTestId('upload-outcome')).toContainText('23 files queued');

  await page.getByRole('button', { name: 'Open the Queue' }).click();
  await expect(page.getByRole('tab', { name: /^Queue/ })).toHaveAttribute('aria-selected', 'true');
  const wav = page.getByTestId('queue-row').filter({ hasText: 'chapter-01.wav' });
  // Progress in the Queue: the WAV part-way, neither at the start nor done.
  await expect
    .poll(
      async () => {
        const value = Number((await wav.locator('progress').getAttribute('value')) ?? 0);
        return value > 0 && value < 200 * MIB;
      },
      { timeout: 60_000, intervals: [100] },
    )
    .toBe(true);
  await expect(wav).toHaveAttribute('data-status', 'verified', { timeout: 120_000 });
  await expect.poll(async () => (await queueOf(quire)).filter((u) => u.status === 'verified').length, { timeout: 60_000 }).toBe(23);

  for (const [file, key] of expectedKeys) {
    expect(await sha256InBucket(quire, key), key).toBe(expectedSha256(file.size, fileSeed(file)));
  }
});

test('a file over the size limit, a type not allowed and a name with a control character are each refused before sending; the good file goes', async ({ page, quire }) => {
  await quire.addConnection({ maxFileSize: 1 * MIB, allowedFileTypes: ['pdf', 'jpg'] });
  const good: DroppedFile = { name: 'good.pdf', mimeType: 'application/pdf', size: 50 * KIB };
  await page.goto(quire.url);
  await page.getByRole('tab', { name: /^Upload/ }).click();
  await dropFiles(page, '[data-testid=drop-zone]', [
    { name: 'too-big.pdf', mimeType: 'application/pdf', size: 2 * MIB },
    { name: 'notes.docx', size: 20 * KIB },
    { name: 'bad\u0007name.pdf', mimeType: 'application/pdf', size: 10 * KIB },
    good,
  ]);

  const rows = page.getByTestId('preview-row');
  await expect(rows).toHaveCount(1, { timeout: 30_000 });
  await expect(rows).toHaveAttribute('data-key', 'books/content/good.pdf');
  const problems = page.getByTestId('preview-problem');
  await expect(problems).toHaveCount(3);
  await expect(problems.filter({ hasText: 'too-big.pdf' })).toContainText(/2\.0 MiB, over connection "radosgw"'s limit of 1\.0 MiB/);
  await expect(problems.filter({ hasText: 'notes.docx' })).toContainText(/\.docx files are not allowed on connection "radosgw" \(allowed: pdf, jpg\)/);
  // The name is shown escaped, never with the raw control character in it.
  await expect(problems.filter({ hasText: 'bad\\x07name.pdf' })).toContainText(/control characters/);
  // Each says what to do, and the button names only what will go.
  await expect(problems.filter({ hasText: 'too-big.pdf' })).toContainText(/Raise the connection's maximum file size/);
  await expect(problems.filter({ hasText: 'bad\\x07name.pdf' })).toContainText(/Rename the file/);
  await expect(page.getByTestId('upload-send')).toHaveText('Upload 1 file');

  await page.getByTestId('upload-send').click();
  const outcome = page.getByTestId('upload-outcome');
  await expect(outcome).toContainText('1 file queued');
  await expect(outcome.getByTestId('preview-problem')).toHaveCount(3);
  await expect.poll(async () => (await queueOf(quire)).map((u) => `${u.objectKey} ${u.status}`), { timeout: 60_000 }).toEqual(['books/content/good.pdf verified']);
  expect(await sha256InBucket(quire, 'books/content/good.pdf')).toBe(expectedSha256(good.size, fileSeed(good)));

  // The same name again: the object already there is named, with what will happen to it.
  await dropFiles(page, '[data-testid=drop-zone]', [{ ...good, seed: 7 }]);
  const again = page.getByTestId('preview-row');
  await expect(again).toHaveAttribute('data-key', 'books/content/good (2).pdf');
  await expect(again).toContainText('An object is already at books/content/good.pdf; it will be kept and yours uploaded as books/content/good (2).pdf.');
  await page.getByRole('combobox', { name: 'If the name is taken' }).selectOption('overwrite');
  await expect(again).toHaveAttribute('data-key', 'books/content/good.pdf');
  await expect(again).toContainText('An object is already at books/content/good.pdf; yours will replace it.');
});

test('files on the Quire machine are chosen by keyboard and queued where they are; a type per file, per folder and a folder in the bucket change the keys', async ({ page, quire }, testInfo) => {
  await quire.addConnection();
  const dir = testInfo.outputPath('on-host');
  mkdirSync(join(dir, 'Book'), { recursive: true });
  const files = { 'portrait.jpg': 8 * KIB, 'Book/ch1.mp3': 40 * KIB, 'Book/cover-art.png': 12 * KIB, 'Book/notes.txt': 2 * KIB, 'unchosen.pdf': KIB };
  for (const [path, size] of Object.entries(files)) writeFileSync(join(dir, path), randomBytes(size));

  await page.goto(quire.url);
  await page.getByRole('tab', { name: /^Upload/ }).click();
  await page.getByRole('button', { name: 'Add from the Quire machine…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add from the Quire machine' });
  await dialog.getByRole('textbox', { name: 'Folder' }).fill(dir);
  await dialog.getByRole('textbox', { name: 'Folder' }).press('Enter');
  const rows = dialog.getByRole('row');
  // Folders first, then files, each by name.
  await expect(rows).toHaveText([/^Book/, /^portrait\.jpg/, /^unchosen\.pdf/]);
  await expect(dialog.getByRole('link', { name: 'on-host' })).toBeVisible();

  // Keyboard only: Space chooses, the arrows move.
  await rows.first().focus();
  await page.keyboard.press('Space');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Space');
  await expect(rows.nth(0)).toHaveAttribute('aria-selected', 'true');
  await expect(rows.nth(1)).toHaveAttribute('aria-selected', 'true');
  await expect(rows.nth(2)).toHaveAttribute('aria-selected', 'false');
  await dialog.getByRole('button', { name: 'Add 2 entries' }).press('Enter');
  await expect(dialog).toBeHidden();

  const keys = () => page.getByTestId('preview-row').evaluateAll((elements) => elements.map((element) => element.getAttribute('data-key')).sort());
  await expect.poll(keys).toEqual(['audiobooks/chapters/Book/ch1.mp3', 'authors/avatars/portrait.jpg', 'books/content/Book/notes.txt', 'books/covers/Book/cover-art.png']);
  // Nothing was copied: the engine reads these where they are.
  const staging = join(quire.dataDir, 'staging');
  expect(existsSync(staging) ? readdirSync(staging).filter((name) => name !== '.incoming') : []).toEqual([]);

  // One type for one file, another for the whole folder: the engine is asked again, the keys follow.
  await page.getByRole('combobox', { name: 'Type for portrait.jpg' }).selectOption('book-asset');
  await page.getByRole('combobox', { name: 'Type for every file in Book' }).selectOption('audio-full');
  await expect.poll(keys).toEqual(['audiobooks/full/Book/ch1.mp3', 'audiobooks/full/Book/cover-art.png', 'audiobooks/full/Book/notes.txt', 'books/assets/portrait.jpg']);
  // A folder in the bucket replaces each type's own.
  await page.getByRole('textbox', { name: 'Folder in the bucket (optional)' }).fill('launch/2027');
  await expect.poll(keys).toEqual(['launch/2027/Book/ch1.mp3', 'launch/2027/Book/cover-art.png', 'launch/2027/Book/notes.txt', 'launch/2027/portrait.jpg']);

  await page.getByTestId('upload-send').click();
  await expect(page.getByTestId('upload-outcome')).toContainText('4 files queued');
  await expect
    .poll(async () => (await queueOf(quire)).map((u) => `${u.objectKey} ${u.category} ${u.status} ${u.sourcePath}`).sort(), { timeout: 60_000 })
    .toEqual([
      `launch/2027/Book/ch1.mp3 audio-full verified ${join(dir, 'Book/ch1.mp3')}`,
      `launch/2027/Book/cover-art.png audio-full verified ${join(dir, 'Book/cover-art.png')}`,
      `launch/2027/Book/notes.txt audio-full verified ${join(dir, 'Book/notes.txt')}`,
      `launch/2027/portrait.jpg book-asset verified ${join(dir, 'portrait.jpg')}`,
    ]);
});

test('a copy to the host can be cancelled and adds nothing; what was added stays through a look at another view', async ({ page, quire }) => {
  await quire.addConnection();
  await page.goto(quire.url);
  await page.getByRole('tab', { name: /^Upload/ }).click();

  await dropFiles(page, '[data-testid=drop-zone]', [{ name: 'full-book.wav', mimeType: 'audio/wav', size: 300 * MIB }]);
  const copying = page.getByRole('group', { name: 'Copying to Quire' });
  await expect(copying).toContainText(/of 300\.0 MiB \(1 file\)/);
  await copying.getByRole('button', { name: 'Cancel copying' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'Copying was cancelled; nothing was added.' })).toBeVisible();
  await expect(copying).toBeHidden();
  await expect(page.getByTestId('preview-row')).toHaveCount(0);
  // The cut-off copy left nothing where the queue could take it.
  const staging = join(quire.dataDir, 'staging');
  const batches = existsSync(staging) ? readdirSync(staging).filter((name) => name !== '.incoming') : [];
  for (const batch of batches) expect(readdirSync(join(staging, batch), { recursive: true }).filter((name) => String(name).endsWith('.wav'))).toEqual([]);

  await dropFiles(page, '[data-testid=drop-zone]', [{ name: 'epilogue.pdf', mimeType: 'application/pdf', size: 30 * KIB }]);
  await expect(page.getByTestId('preview-row')).toHaveAttribute('data-key', 'books/content/epilogue.pdf');
  await page.getByRole('combobox', { name: 'Type for epilogue.pdf' }).selectOption('book-asset');
  await expect(page.getByTestId('preview-row')).toHaveAttribute('data-key', 'books/assets/epilogue.pdf');
  await page.getByRole('tab', { name: /^Connections/ }).click();
  await page.getByRole('tab', { name: /^Upload/ }).click();
  await expect(page.getByTestId('preview-row')).toHaveAttribute('data-key', 'books/assets/epilogue.pdf');
  expect(await queueOf(quire)).toEqual([]);
});
