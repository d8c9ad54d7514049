import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';

/**
 * The History view against a real `quire serve` and radosgw: what the author copies from it
 * fetches exactly the bytes on disk (the public CDN address and a share link), and "verify
 * again" asks the bucket and says it matches.
 */

const screenshots = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** What the page put on the clipboard (the permission is granted to the page's origin). */
async function readClipboard(page: Page): Promise<string> {
  return String(await page.evaluate('navigator.clipboard.readText()'));
}

async function fetchSha256(url: string): Promise<{ status: number; sha256: string }> {
  const response = await fetch(url);
  return { status: response.status, sha256: sha256(new Uint8Array(await response.arrayBuffer())) };
}

test('the copied CDN URL and a share link fetch exactly the bytes on disk, verify again matches, search narrows the list', async ({ page, context, quire }, testInfo) => {
  const connection = await quire.addConnection({ publicRead: true });
  const dir = testInfo.outputPath('files');
  mkdirSync(dir, { recursive: true });
  // A name that needs encoding in a URL: a space, a hash and an accent.
  const bytes = randomBytes(2 * 1024 * 1024 + 17);
  writeFileSync(join(dir, 'Chapter #1 — Zoë.pdf'), bytes);
  writeFileSync(join(dir, 'cover.jpg'), randomBytes(200_000));
  const queued = await quire.cli(['upload', dir, '--queue-only']);
  expect(queued.code, queued.stderr).toBe(0);

  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: quire.origin });
  await page.goto(quire.url);
  await page.getByRole('tab', { name: 'History' }).click();
  const rows = page.getByTestId('history-row');
  await expect(rows).toHaveCount(2, { timeout: 30_000 });
  const chapter = rows.filter({ hasText: 'Chapter #1 — Zoë.pdf' });

  // The public address under the connection's CDN base, each key segment encoded.
  await chapter.getByRole('button', { name: /^Copy URL/ }).click();
  await expect(chapter.getByTestId('copied')).toHaveText('CDN URL copied');
  await expect(page.getByRole('status').filter({ hasText: 'CDN URL copied' })).toHaveCount(1);
  const cdnUrl = await readClipboard(page);
  expect(cdnUrl.startsWith(`${connection.cdnBaseUrl}/`)).toBe(true);
  expect(cdnUrl).toContain('Chapter%20%231%20%E2%80%94%20Zo%C3%AB.pdf');
  expect(await fetchSha256(cdnUrl)).toEqual({ status: 200, sha256: sha256(bytes) });

  // A share link valid for one hour.
  await chapter.getByRole('button', { name: /^Share link/ }).click();
  await page.getByRole('menuitem', { name: 'Valid for 1 hour' }).click();
  await expect(chapter.getByTestId('copied')).toHaveText('Share link copied, valid for 1 hour');
  const shareLink = await readClipboard(page);
  expect(shareLink).toContain('X-Amz-Expires=3600');
  await expect(chapter.getByTestId('share-link')).toHaveValue(shareLink);
  expect(await fetchSha256(shareLink)).toEqual({ status: 200, sha256: sha256(bytes) });

  await chapter.getByRole('button', { name: /again$/ }).click();
  await expect(chapter.getByTestId('verify-result')).toContainText('Matches: the bucket holds exactly the uploaded file');

  await page.emulateMedia({ colorScheme: 'light' });
  await page.screenshot({ path: join(screenshots, 'history-light.png') });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: join(screenshots, 'history-dark.png') });
  await page.emulateMedia({ colorScheme: 'light' });

  // Search is the engine's: by name or key, any case.
  await page.getByTestId('history-search').fill('COVER');
  await expect(rows).toHaveCount(1);
  await expect(rows).toContainText('cover.jpg');
  await page.getByLabel('Kind').selectOption('manuscript');
  await expect(page.getByText('No verified upload matches')).toBeVisible();
  await page.getByTestId('history-search').fill('');
  await expect(rows).toHaveCount(1);
  await expect(rows).toContainText('Chapter #1 — Zoë.pdf');
});
