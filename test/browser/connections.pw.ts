import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Locator, Page } from '@playwright/test';
import { createTestBucket, testS3 } from '../support/s3Server';
import { expect, test, type QuireFixture } from './fixtures';

/**
 * The Connections view against `quire serve` and radosgw: a connection is tested live before it
 * is saved, and each refusal is shown at the field it is about (a wrong secret at the secret, a
 * bucket that does not exist at the bucket) with nothing saved; the right one saves and is listed;
 * set default; removing one is refused while an upload of it is unfinished, naming that upload.
 */

const screenshots = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));

async function screenshotBothThemes(page: Page, name: string): Promise<void> {
  await page.emulateMedia({ colorScheme: 'light' });
  await page.screenshot({ path: join(screenshots, `${name}-light.png`) });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: join(screenshots, `${name}-dark.png`) });
  await page.emulateMedia({ colorScheme: 'light' });
}

interface ListedConnection {
  name: string;
  bucket: string;
  isDefault: boolean;
}

async function savedConnections(quire: QuireFixture): Promise<ListedConnection[]> {
  const listed = await quire.cli(['connect', 'list', '--json']);
  expect(listed.code, listed.stderr).toBe(0);
  return JSON.parse(listed.stdout) as ListedConnection[];
}

/** The field's error must be tied to it: aria-invalid, and aria-describedby naming the element that says it. */
async function expectFieldError(field: Locator, message: RegExp): Promise<void> {
  await expect(field).toHaveAttribute('aria-invalid', 'true');
  const described = () =>
    field.evaluate((element) =>
      (element.getAttribute('aria-describedby') ?? '')
        .split(' ')
        .map((id) => element.ownerDocument.getElementById(id)?.textContent ?? '')
        .join(' '),
    );
  await expect.poll(described).toMatch(message);
}

async function openConnections(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.getByRole('tab', { name: /^Connections/ }).click();
  await expect(page.getByRole('heading', { name: 'Connections', level: 2 })).toBeVisible();
}

test('a wrong secret is shown at the secret field and nothing is saved; a missing bucket at the bucket field; the right ones save', async ({ page, quire }) => {
  const s3 = testS3();
  const bucket = await createTestBucket(s3, 'pw-form');
  await openConnections(page, quire.url);

  // The empty state says what a connection is and offers the first one.
  await expect(page.getByText('No connection yet')).toBeVisible();
  await page.getByRole('button', { name: 'Add your first connection' }).click();

  const form = page.getByRole('form', { name: 'Add a connection' });
  await form.getByRole('radio', { name: 'Other S3-compatible service' }).check();
  const field = (label: string) => form.getByRole('textbox', { name: label, exact: true });
  const secret = form.getByLabel('Secret access key', { exact: true });
  await field('Name').fill('Books');
  await field('Endpoint URL').fill(s3.endpoint);
  await field('Region').fill(s3.region);
  await field('Bucket').fill(`${bucket}-missing`);
  await field('Access key ID').fill(s3.accessKeyId);
  await secret.fill(s3.secretAccessKey);

  // Checked in the page first: a bad address is refused before the engine is asked.
  await field('CDN address (optional)').fill('not a url');
  await form.getByRole('button', { name: 'Test and save' }).click();
  await expectFieldError(field('CDN address (optional)'), /web address/);
  await field('CDN address (optional)').fill('');

  // A bucket that does not exist: at the bucket field, and only there.
  await form.getByRole('button', { name: 'Test and save' }).click();
  await expectFieldError(field('Bucket'), /does not exist/);
  await expect(secret).not.toHaveAttribute('aria-invalid', 'true');
  expect(await savedConnections(quire)).toEqual([]);

  // A wrong secret (radosgw answers SignatureDoesNotMatch): at the secret field, nothing saved.
  await field('Bucket').fill(bucket);
  await secret.fill(`${s3.secretAccessKey}-wrong`);
  await form.getByRole('button', { name: 'Test and save' }).click();
  await expectFieldError(secret, /secret access key does not match the access key ID/);
  for (const other of ['Name', 'Bucket', 'Access key ID', 'Endpoint URL']) await expect(field(other)).not.toHaveAttribute('aria-invalid', 'true');
  await expect(secret).toBeFocused();
  expect(await savedConnections(quire)).toEqual([]);
  await screenshotBothThemes(page, 'connections-form');

  // Typing a new secret takes the old error away; the right one saves.
  await secret.fill(s3.secretAccessKey);
  await expect(secret).not.toHaveAttribute('aria-invalid', 'true');
  await form.getByRole('button', { name: 'Test and save' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Connection “Books” works and is saved' }).first()).toBeVisible();
  await expect(form).toBeHidden();
  const card = page.getByTestId('connection').filter({ hasText: 'Books' });
  await expect(card).toContainText(bucket);
  await expect(card.getByText('Default', { exact: true })).toBeVisible();
  expect(await savedConnections(quire)).toEqual([expect.objectContaining({ name: 'Books', bucket, isDefault: true })]);

  // The saved one tests again with the keychain's secret.
  await card.getByRole('button', { name: 'Test Books' }).click();
  await expect(card).toContainText('Works: Quire listed');
});

test('set default, and removing is refused while an upload of the connection is unfinished, naming it', async ({ page, quire }, testInfo) => {
  await quire.addConnection({ name: 'Manuscripts' });
  const audio = await quire.addConnection({ name: 'Audio' });
  await openConnections(page, quire.url);

  const manuscripts = page.getByTestId('connection').filter({ hasText: 'Manuscripts' });
  const audioCard = page.getByTestId('connection').filter({ hasText: 'Audio' });
  const badge = (card: Locator) => card.getByText('Default', { exact: true });
  await expect(badge(manuscripts)).toBeVisible();
  await expect(badge(audioCard)).toHaveCount(0);
  await audioCard.getByRole('button', { name: 'Make Audio the default' }).click();
  await expect(badge(audioCard)).toBeVisible();
  await expect(badge(manuscripts)).toHaveCount(0);
  await expect(manuscripts.getByRole('button', { name: 'Make Manuscripts the default' })).toBeVisible();
  expect((await savedConnections(quire)).find((c) => c.isDefault)?.name).toBe('Audio');
  await screenshotBothThemes(page, 'connections');

  // An upload of Audio, paused before it could start (the queue paused first, so it cannot race).
  expect((await quire.cli(['pause', '--all'])).code).toBe(0);
  const dir = testInfo.outputPath('files');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'chapter-09.mp3'), randomBytes(64 * 1024));
  const queued = await quire.cli(['upload', join(dir, 'chapter-09.mp3'), '--connection', 'Audio', '--queue-only', '--json']);
  expect(queued.code, queued.stderr).toBe(0);
  const id = (JSON.parse(queued.stdout) as { queued: { id: string }[] }).queued[0]!.id;
  expect((await quire.cli(['pause', id])).code).toBe(0);

  await audioCard.getByRole('button', { name: 'Remove Audio' }).click();
  const dialog = page.getByRole('alertdialog');
  await expect(dialog).toContainText('Remove “Audio”?');
  await expect(dialog).toContainText(audio.bucket);
  await dialog.getByRole('button', { name: 'Remove connection' }).click();
  await expect(dialog.getByRole('alert')).toContainText('Connection "Audio" still has 1 unfinished upload(s)');
  await expect(dialog.getByRole('alert')).toContainText('audiobooks/chapters/chapter-09.mp3 — paused');
  expect((await savedConnections(quire)).map((c) => c.name).sort()).toEqual(['Audio', 'Manuscripts']);
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(dialog).toBeHidden();
});

test('a connection whose uploads are all cancelled or verified can be removed', async ({ page, quire }, testInfo) => {
  await quire.addConnection({ name: 'Manuscripts' });
  await quire.addConnection({ name: 'Audio' });
  expect((await quire.cli(['pause', '--all'])).code).toBe(0);
  const dir = testInfo.outputPath('files');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'chapter-09.mp3'), randomBytes(64 * 1024));
  const queued = await quire.cli(['upload', join(dir, 'chapter-09.mp3'), '--connection', 'Audio', '--queue-only', '--json']);
  const id = (JSON.parse(queued.stdout) as { queued: { id: string }[] }).queued[0]!.id;
  expect((await quire.cli(['cancel', id])).code).toBe(0);

  await openConnections(page, quire.url);
  const audioCard = page.getByTestId('connection').filter({ hasText: 'Audio' });
  await audioCard.getByRole('button', { name: 'Remove Audio' }).click();
  await page.getByRole('alertdialog').getByRole('button', { name: 'Remove connection' }).click();
  await expect(page.getByRole('alertdialog')).toBeHidden();
  await expect(audioCard).toHaveCount(0);
  expect((await savedConnections(quire)).map((c) => c.name)).toEqual(['Manuscripts']);
});
