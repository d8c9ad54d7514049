import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import sharp from 'sharp';
import type { SettingsReport } from '../../src/shared/settings';
import type { UploadSummary } from '../../src/shared/upload';
import type { WatchFolderSummary } from '../../src/shared/watch';
import { writeNotAnImage, writePhoto } from '../support/testImages';
import { expect, test, type QuireFixture } from './fixtures';

/**
 * Image sets in Chromium against `quire serve` and radosgw: a real phone photo (on its side, with
 * GPS) and a file that only looks like a JPEG are dropped as covers. The preview says which get a
 * web set, and the drop's Images choice changes that; the Queue shows the photo's set as rows
 * named after the author's file (never the cache file each is sent from) with what it saved; the
 * bad one fails alone, naming itself, and "Upload as is" sends it unchanged. The bucket holds an
 * upright 480 px WebP without camera data. Settings' Images section and the watch form's choice
 * reach the ledger.
 */

// The author's own image defaults (covers, book images, author photos and logos get a web set).
test.use({ optimizeImages: true });

const screenshots = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function screenshotBothThemes(page: Page, name: string): Promise<void> {
  await page.emulateMedia({ colorScheme: 'light' });
  await page.screenshot({ path: join(screenshots, `${name}-light.png`) });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: join(screenshots, `${name}-dark.png`) });
  await page.emulateMedia({ colorScheme: 'light' });
}

/**
 * Drops real files on the page: their bytes go in as base64 and come out as File objects in a
 * DataTransfer, dispatched as a file manager's drag would be. A drop made by a script has no
 * FileSystemEntry, so the page takes its files as loose files, as it does any such drop.
 */
async function dropRealFiles(page: Page, selector: string, files: { path: string; mimeType: string }[]): Promise<void> {
  const specs = files.map((file) => ({ name: file.path.slice(file.path.lastIndexOf('/') + 1), mimeType: file.mimeType, base64: readFileSync(file.path).toString('base64') }));
  const dataTransfer = await page.evaluateHandle((given) => {
    const transfer = new DataTransfer();
    for (const spec of given) {
      const binary = atob(spec.base64);
      const bytes = new Uint8Array(binary.length);
      for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
      transfer.items.add(new File([bytes], spec.name, { type: spec.mimeType, lastModified: Date.now() }));
    }
    transfer.effectAllowed = 'all';
    return transfer;
  }, specs);
  for (const type of ['dragenter', 'dragover', 'drop']) await page.dispatchEvent(selector, type, { dataTransfer });
}

async function queueOf(quire: QuireFixture): Promise<UploadSummary[]> {
  const listed = await quire.cli(['queue', '--json']);
  // 1 says some upload failed (the broken cover, until it goes as is).
  expect([0, 1], listed.stderr).toContain(listed.code);
  return JSON.parse(listed.stdout) as UploadSummary[];
}

/** The object's bytes through a one-hour share link. */
async function download(quire: QuireFixture, key: string): Promise<{ status: number; contentType: string | null; bytes: Buffer }> {
  const linked = await quire.cli(['link', key, '--json']);
  expect(linked.code, linked.stderr).toBe(0);
  const response = await fetch((JSON.parse(linked.stdout) as { url: string }).url);
  return { status: response.status, contentType: response.headers.get('content-type'), bytes: Buffer.from(await response.arrayBuffer()) };
}

test('a phone photo dropped as a cover is previewed with its web set, uploaded as a set named after it with what it saved; a broken one fails alone and goes as is', async ({ page, quire }, testInfo) => {
  test.setTimeout(240_000);
  await quire.addConnection();
  const dir = testInfo.outputPath('photos');
  mkdirSync(dir, { recursive: true });
  const photo = join(dir, 'cover.jpg');
  const broken = join(dir, 'cover-broken.jpg');
  await writePhoto(photo, 1600, 1200, { orientation: 6, gps: true });
  await writeNotAnImage(broken);
  // Held until the page resumes it, so the Queue is open when the set is being made.
  expect((await quire.cli(['pause', '--all'])).code).toBe(0);

  await page.goto(quire.url);
  await page.getByRole('tab', { name: /^Upload/ }).click();
  await dropRealFiles(page, '[data-testid=drop-zone]', [
    { path: photo, mimeType: 'image/jpeg' },
    { path: broken, mimeType: 'image/jpeg' },
  ]);

  // Covers get a web set by the default settings; the preview says so before anything is sent.
  const rows = page.getByTestId('preview-row');
  await expect(rows).toHaveCount(2, { timeout: 60_000 });
  const webSets = page.getByTestId('preview-web-set');
  await expect(webSets).toHaveCount(2);
  await expect(webSets.first()).toHaveText('+ web set: WebP 480–1920 px wide and a thumbnail; camera data and GPS position removed');
  await expect(page.getByTestId('preview').locator('caption')).toContainText('each gets a web set');

  // The drop's own choice: as they are, then always, then as settings say.
  const images = page.getByRole('combobox', { name: 'Images' });
  await expect(images.locator('option:checked')).toHaveText('As settings say (covers, book images, author photos, logos and banners)');
  await images.selectOption('as-is');
  await expect(webSets).toHaveCount(0);
  await expect(rows).toHaveCount(2);
  await images.selectOption('always');
  await expect(webSets).toHaveCount(2);
  await images.selectOption('settings');
  await expect(webSets).toHaveCount(2);
  await expect(page.getByText('Asking the bucket which keys are free…')).toHaveCount(0);
  await page.getByTestId('preview').scrollIntoViewIfNeeded();
  await screenshotBothThemes(page, 'images-upload');

  await page.getByTestId('upload-send').click();
  await expect(page.getByTestId('upload-outcome')).toContainText('2 files queued');
  await page.getByRole('button', { name: 'Open the Queue' }).click();

  const queue = page.getByTestId('queue-row');
  const original = queue.filter({ hasText: 'cover.jpg · original' });
  // The author's row while it waits for its set, then while it is being made.
  await expect(queue.filter({ hasText: 'cover.jpg' }).filter({ hasNotText: 'broken' }).getByTestId('row-detail')).toHaveText('Waiting its turn; its web images are made first');
  await page.evaluate(() => {
    const seen = { making: false };
    (window as unknown as { quireSeen: typeof seen }).quireSeen = seen;
    new MutationObserver(() => {
      for (const detail of document.querySelectorAll('[data-testid=row-detail]')) if (detail.textContent === 'Making web images…') seen.making = true;
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
  await page.getByRole('button', { name: 'Resume all' }).click();

  // The set: the original and five variants, each named after the author's file.
  const labels = ['cover.jpg · original', 'cover.jpg · 480 px WebP', 'cover.jpg · 768 px WebP', 'cover.jpg · 1024 px WebP', 'cover.jpg · 1920 px WebP', 'cover.jpg · thumbnail'];
  await expect(queue).toHaveCount(7, { timeout: 60_000 });
  for (const label of labels) await expect(queue.filter({ hasText: label }), label).toHaveCount(1);
  expect(await page.evaluate(() => (window as unknown as { quireSeen: { making: boolean } }).quireSeen.making)).toBe(true);

  const brokenRow = queue.filter({ hasText: 'cover-broken.jpg' });
  await expect(brokenRow).toHaveAttribute('data-status', 'failed', { timeout: 60_000 });
  await expect(brokenRow.getByTestId('row-detail')).toContainText(/cover-broken\.jpg is not an image Quire can read/);
  await expect(brokenRow.getByRole('button', { name: 'Retry cover-broken.jpg' })).toBeVisible();
  await expect(brokenRow.getByRole('button', { name: 'Upload as is: cover-broken.jpg' })).toBeVisible();

  // Every member of the set is verified; the photo's own row says what its set saved.
  for (const label of labels) await expect(queue.filter({ hasText: label }), label).toHaveAttribute('data-status', 'verified', { timeout: 60_000 });
  const ledger = await queueOf(quire);
  const set = ledger.find((upload) => upload.objectKey === 'books/covers/cover.jpg')?.imageSet;
  expect(set).toMatchObject({ preset: 'print-cover', format: 'webp', width: 1200, height: 1600, variants: 5, originalKept: true });
  const saved = Math.round((1 - set!.bytesAfter / set!.bytesBefore) * 100);
  await expect(original.getByTestId('row-set')).toHaveText(saved > 0 ? `web set: 6 images, ${saved}% smaller` : `web set: 6 images, ${-saved}% larger in all`);
  await expect(original.getByTestId('set-swatch')).toHaveAttribute('data-color', set!.dominantColor);
  // The cache files the variants are sent from are never shown, not even in a tooltip.
  const cachePaths = ledger.filter((upload) => upload.image && upload.image.variant !== 'original').map((upload) => upload.sourcePath);
  expect(cachePaths).toHaveLength(5);
  const shown = await page.getByTestId('queue-list').evaluate((list) => `${list.textContent} ${[...list.querySelectorAll('[title]')].map((e) => e.getAttribute('title')).join(' ')}`);
  for (const path of cachePaths) expect(shown).not.toContain(path);
  expect(shown).not.toContain('image-cache');

  // The details of a variant: made from the author's file.
  await queue.filter({ hasText: 'cover.jpg · 480 px WebP' }).getByRole('button', { name: /^Details/ }).click();
  const details = page.getByTestId('details-panel');
  await expect(details).toContainText('Made from');
  await expect(details).not.toContainText('image-cache');
  await page.getByRole('button', { name: 'Close details' }).click();
  await screenshotBothThemes(page, 'images');

  // The broken file goes as it is, and ends verified with its own bytes.
  await brokenRow.getByRole('button', { name: 'Upload as is: cover-broken.jpg' }).click();
  await expect(brokenRow).toHaveAttribute('data-status', 'verified', { timeout: 60_000 });
  const sent = await download(quire, 'books/covers/cover-broken.jpg');
  expect(sent.status).toBe(200);
  expect(sha256(sent.bytes)).toBe(sha256(readFileSync(broken)));

  // The 480 px WebP in the bucket: upright (the photo was on its side), with no camera data or GPS.
  const small = await download(quire, 'books/covers/cover-480.webp');
  expect(small.status).toBe(200);
  expect(small.contentType).toBe('image/webp');
  const meta = await sharp(small.bytes).metadata();
  expect({ format: meta.format, width: meta.width, height: meta.height, exif: meta.exif }).toEqual({ format: 'webp', width: 480, height: 640, exif: undefined });

  // History names the set's members the same way, with what the set saved.
  await page.getByRole('tab', { name: /^History/ }).click();
  const history = page.getByTestId('history-row');
  await expect(history).toHaveCount(7, { timeout: 30_000 });
  await expect(history.filter({ hasText: 'cover.jpg · 480 px WebP' })).toHaveCount(1);
  // The saving first, then what the author should know: this photo records a GPS position, which the web images leave out.
  const historySet = history.filter({ hasText: 'cover.jpg · original' }).getByTestId('history-set');
  await expect(historySet).toContainText(saved > 0 ? `web set: 6 images, ${saved}% smaller` : `web set: 6 images, ${-saved}% larger in all`);
  await expect(historySet).toContainText('GPS position): the web images leave it out');
});

test('the Images section of settings saves which destinations get a web set, its format, quality and metadata; a watch folder keeps its own choice', async ({ page, quire }, testInfo) => {
  await quire.addConnection();
  await page.goto(quire.url);
  await page.getByRole('tab', { name: /^Settings/ }).click();
  const section = page.getByTestId('settings-images');
  await expect(section).toBeVisible();

  // The defaults: every destination, WebP at 85, the original too, no camera data.
  for (const name of ['Covers', 'Book images', 'Author photos', 'Logos and banners']) await expect(section.getByRole('checkbox', { name })).toBeChecked();
  const format = section.getByRole('combobox', { name: 'Format' });
  const quality = section.getByRole('textbox', { name: 'Quality (1–100)' });
  const original = section.getByRole('checkbox', { name: 'Upload the original too' });
  const metadata = section.getByRole('checkbox', { name: 'Keep camera data and GPS position in the web images' });
  await expect(format).toHaveValue('webp');
  await expect(format.locator('option[value=avif]')).toHaveText('AVIF: smaller, slower to make');
  await expect(quality).toHaveValue('85');
  await expect(original).toBeChecked();
  await expect(metadata).not.toBeChecked();
  await expect(metadata).toHaveAccessibleDescription(/anyone who can open the web images can read that position/);
  await expect(page.getByTestId('in-force-images')).toHaveText('Web sets for covers, book images, author photos, logos and banners · WebP at quality 85 · the original uploaded too · no camera data or GPS position');

  // A quality out of range is refused at its field, and nothing is saved.
  await quality.fill('150');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(quality).toHaveAttribute('aria-invalid', 'true');
  await expect(quality).toBeFocused();
  await expect(quality).toHaveAccessibleDescription(/quality is at most 100/);

  await quality.fill('70');
  await section.getByRole('checkbox', { name: 'Logos and banners' }).uncheck();
  await format.selectOption('avif');
  await metadata.check();
  await expect(page.getByTestId('metadata-warning')).toContainText('⚠');
  await section.scrollIntoViewIfNeeded();
  await screenshotBothThemes(page, 'images-settings');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('✓ Saved')).toBeVisible();
  const shown = await quire.cli(['settings', '--json']);
  expect(shown.code, shown.stderr).toBe(0);
  expect(JSON.parse(shown.stdout) as SettingsReport).toMatchObject({ imageOptimize: ['cover', 'book-asset', 'avatar'], imageFormat: 'avif', imageQuality: 70, imageKeepOriginal: true, imageKeepMetadata: true });
  await expect(page.getByTestId('in-force-images')).toHaveText('Web sets for covers, book images, author photos · AVIF at quality 70 · the original uploaded too · camera data and GPS position kept');

  // A watch folder whose images go as they are.
  const folder = testInfo.outputPath('exports');
  mkdirSync(folder, { recursive: true });
  await page.getByRole('tab', { name: /^Watch/ }).click();
  await page.getByRole('button', { name: 'Watch your first folder' }).click();
  const form = page.getByRole('form', { name: 'Watch a folder' });
  await form.getByRole('textbox', { name: 'Folder to watch' }).fill(folder);
  // What "as settings say" means follows the settings just saved.
  const watchImages = form.getByRole('combobox', { name: 'Images' });
  await expect(watchImages.locator('option:checked')).toHaveText('As settings say (covers, book images, author photos)');
  await watchImages.selectOption('as-is');
  await form.getByRole('button', { name: 'Watch this folder' }).click();
  await expect(page.getByTestId('watch-images')).toHaveText('uploaded as they are');
  const listed = await quire.cli(['watch', 'list', '--json']);
  expect(listed.code, listed.stderr).toBe(0);
  expect((JSON.parse(listed.stdout) as WatchFolderSummary[]).map((f) => f.optimize)).toEqual([false]);
});
