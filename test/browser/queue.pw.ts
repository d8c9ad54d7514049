import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { startQuire } from '../support/quireCli';
import { expect, test } from './fixtures';

/**
 * The Queue view against a real `quire serve` and radosgw: files queued by `quire upload
 * --queue-only` (as a second shell would) appear and move; pause and resume from the page; retry
 * all failed; the details panel with parts and the server's UploadId; screenshots in both themes.
 */

const MIB = 1024 * 1024;
const screenshots = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));

function writeFiles(dir: string, files: { name: string; size: number }[]): void {
  mkdirSync(dir, { recursive: true });
  for (const file of files) writeFileSync(join(dir, file.name), randomBytes(file.size));
}

const rowOf = (page: Page, name: string) => page.getByTestId('queue-row').filter({ has: page.getByText(name, { exact: true }) });

async function openQueue(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.getByRole('tab', { name: /^Queue/ }).click();
  await expect(page.getByRole('heading', { name: 'Queue' }).or(page.getByText('Nothing queued'))).toBeVisible();
}

test('queued files move, one is paused and resumed from the page, the details show its parts and UploadId, and all are verified', async ({ page, quire }, testInfo) => {
  await quire.addConnection();
  // Slow enough to catch the 40 MiB file mid-way, one request at a time so its 4 parts of
  // 10 MiB finish one after another and the bar moves part by part.
  expect((await quire.cli(['settings', '--limit-rate', '4MiB', '--concurrency', '1'])).code).toBe(0);
  const dir = testInfo.outputPath('files');
  writeFiles(dir, [
    { name: 'narration.wav', size: 40 * MIB },
    { name: 'manuscript.pdf', size: 3 * MIB },
    { name: 'cover.jpg', size: 300 * 1024 },
  ]);
  await openQueue(page, quire.url);
  await expect(page.getByText('Nothing queued')).toBeVisible();

  const queued = await quire.cli(['upload', dir, '--queue-only']);
  expect(queued.code, queued.stderr).toBe(0);

  const big = rowOf(page, 'narration.wav');
  await expect(page.getByTestId('queue-row')).toHaveCount(3);
  await expect(big).toHaveAttribute('data-status', 'uploading', { timeout: 30_000 });
  // Progress is visible: the row's bar and figures, and the status line's total over what is unfinished.
  await expect(big).toContainText(/of 40\.0 MiB/);
  await expect(page.getByTestId('overall-progress')).toContainText(/of \d+\.\d MiB · \d uploads?/);
  await expect.poll(async () => Number(await big.locator('progress').getAttribute('value')), { timeout: 30_000 }).toBeGreaterThanOrEqual(10 * MIB);
  await expect(big).toContainText(/[1-3]\d\.0 MiB of 40\.0 MiB/);

  // The details panel: parts done of the part count and the server's multipart UploadId.
  await big.getByRole('button', { name: 'Details of narration.wav' }).click();
  const details = page.getByTestId('details-panel');
  await expect(details.getByTestId('details-parts')).toContainText(/\d of 4 done/);
  await expect(details.getByTestId('details-upload-id')).toHaveText(/\S{10,}/);
  await expect(details.getByTestId('details-log')).toContainText('create multipart');

  await big.getByRole('button', { name: 'Pause narration.wav' }).click();
  await expect(big).toHaveAttribute('data-status', 'paused');
  await expect(big.getByRole('button', { name: 'Resume narration.wav' })).toBeVisible();
  await expect(page.getByTestId('chip-paused')).toContainText('1');

  await page.emulateMedia({ colorScheme: 'light' });
  await page.screenshot({ path: join(screenshots, 'queue-light.png') });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: join(screenshots, 'queue-dark.png') });
  await page.emulateMedia({ colorScheme: 'light' });

  // A paused upload stays where it was.
  const pausedAt = Number(await big.locator('progress').getAttribute('value'));
  await page.waitForTimeout(1500);
  expect(Number(await big.locator('progress').getAttribute('value'))).toBe(pausedAt);

  expect((await quire.cli(['settings', '--limit-rate', '0', '--concurrency', '8'])).code).toBe(0);
  await big.getByRole('button', { name: 'Resume narration.wav' }).click();
  await expect(page.getByTestId('queue-row').and(page.locator('[data-status="verified"]'))).toHaveCount(3, { timeout: 60_000 });
  await expect(page.getByTestId('chip-verified')).toContainText('3');
  await expect(big).toContainText('40.0 MiB of 40.0 MiB');
  expect(await big.locator('progress').getAttribute('value')).toBe(String(40 * MIB));
  await expect(page.getByTestId('overall-progress')).toBeHidden();
  // Resumed, not restarted: the engine says how much was already in the bucket.
  expect(pausedAt).toBeGreaterThanOrEqual(10 * MIB);
  await expect(details).toContainText(/resumed at \d+%: [1-3] of 4 parts were already in the bucket/);
});

test('retry all failed: a file missing when its turn came fails with what to do, and goes once it is back', async ({ page, quire }, testInfo) => {
  await quire.addConnection();
  const dir = testInfo.outputPath('files');
  writeFiles(dir, [{ name: 'chapter-1.pdf', size: 1 * MIB }, { name: 'chapter-2.pdf', size: 1 * MIB }]);
  const path = join(dir, 'chapter-2.pdf');
  const kept = testInfo.outputPath('chapter-2.pdf.kept');
  // Queued while no Quire drives the queue, then taken away before it runs.
  await quire.kill();
  expect((await quire.cli(['upload', dir, '--queue-only'])).code).toBe(0);
  const { mtime } = statSync(path);
  writeFileSync(kept, ''); // marker for the test's own cleanup
  const bytes = (await import('node:fs')).readFileSync(path);
  rmSync(path);
  await quire.restart();

  await openQueue(page, quire.url);
  const missing = rowOf(page, 'chapter-2.pdf');
  await expect(missing).toHaveAttribute('data-status', 'failed', { timeout: 30_000 });
  await expect(missing.getByTestId('row-detail')).toContainText('is no longer there');
  await expect(rowOf(page, 'chapter-1.pdf')).toHaveAttribute('data-status', 'verified', { timeout: 30_000 });
  await expect(page.getByTestId('chip-failed')).toContainText('1');

  // Put back exactly as it was (same bytes and time), then retry every failed upload at once.
  writeFileSync(path, bytes);
  utimesSync(path, mtime, mtime);
  await page.getByRole('button', { name: /Retry all failed \(1\)/ }).click();
  await expect(missing).toHaveAttribute('data-status', 'verified', { timeout: 30_000 });
  await expect(page.getByTestId('chip-failed')).toContainText('0');
  await expect(page.getByRole('button', { name: /Retry all failed/ })).toBeDisabled();
});

test('a Shift-click selection is paused, then cancelled after a confirmation, and the chips count and filter what happened', async ({ page, quire }, testInfo) => {
  await quire.addConnection();
  // Slow, so every file is still unfinished while the author acts.
  expect((await quire.cli(['settings', '--limit-rate', '64KiB'])).code).toBe(0);
  const dir = testInfo.outputPath('files');
  writeFiles(dir, ['a', 'b', 'c', 'd', 'e'].map((letter) => ({ name: `part-${letter}.pdf`, size: 2 * MIB })));
  expect((await quire.cli(['upload', dir, '--queue-only'])).code).toBe(0);
  await openQueue(page, quire.url);
  const rows = page.getByTestId('queue-row');
  await expect(rows).toHaveCount(5);

  // The first box, then Shift+click on the fourth: the four between are ticked.
  await rows.nth(0).getByRole('checkbox').click();
  await rows.nth(3).getByRole('checkbox').click({ modifiers: ['Shift'] });
  await expect(page.getByText('4 selected')).toBeVisible();
  for (const i of [0, 1, 2, 3]) await expect(rows.nth(i).getByRole('checkbox')).toBeChecked();
  await expect(rows.nth(4).getByRole('checkbox')).not.toBeChecked();

  const selected = page.getByRole('group', { name: 'Selected uploads' });
  await selected.getByRole('button', { name: 'Pause' }).click();
  await expect(page.getByTestId('chip-paused')).toContainText('4');
  await expect(rows.nth(4)).not.toHaveAttribute('data-status', 'paused');

  // Cancelling asks first; keeping it changes nothing.
  await selected.getByRole('button', { name: 'Cancel' }).click();
  const dialog = page.getByRole('alertdialog');
  await expect(dialog).toContainText('Cancel 4 selected uploads?');
  await dialog.getByRole('button', { name: 'Keep it' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId('chip-paused')).toContainText('4');
  await selected.getByRole('button', { name: 'Cancel' }).click();
  await page.getByRole('alertdialog').getByRole('button', { name: 'Cancel upload' }).click();
  await expect(page.getByTestId('chip-cancelled')).toContainText('4');

  await page.getByTestId('chip-cancelled').click();
  await expect(rows).toHaveCount(4);
  for (const i of [0, 1, 2, 3]) await expect(rows.nth(i)).toHaveAttribute('data-status', 'cancelled');
  await page.getByTestId('chip-all').click();
  await expect(rows).toHaveCount(5);

  // Pause all pauses the queue itself, and the status line says so; Resume all lifts it.
  await page.getByRole('button', { name: 'Pause all' }).click();
  await expect(rows.nth(4)).toHaveAttribute('data-status', 'paused');
  await expect(page.getByTestId('queue-status')).toContainText('Paused');
  await page.getByRole('button', { name: 'Resume all' }).click();
  await expect(page.getByTestId('queue-status')).not.toContainText('Paused');
  await expect(page.getByTestId('chip-cancelled')).toContainText('4');
  expect((await quire.cli(['settings', '--limit-rate', '0'])).code).toBe(0);
  await expect(rows.nth(4)).toHaveAttribute('data-status', 'verified', { timeout: 30_000 });
});

test('while another Quire drives the queue, the page says so and follows its uploads by looking every few seconds', async ({ page, quire }, testInfo) => {
  await quire.addConnection();
  await quire.kill();
  // `quire run --follow` takes the queue first; the restarted quire serve then only watches.
  const follower = startQuire(quire.dataDir, ['run', '--follow']);
  try {
    await expect.poll(async () => (await quire.cli(['status'])).stdout, { timeout: 20_000 }).toContain('another Quire');
    await quire.restart();
    await openQueue(page, quire.url);
    await expect(page.getByTestId('queue-status')).toContainText('Another Quire drives the queue');

    const dir = testInfo.outputPath('files');
    writeFiles(dir, [{ name: 'followed-1.pdf', size: 200_000 }, { name: 'followed-2.pdf', size: 1 * MIB }]);
    expect((await quire.cli(['upload', dir, '--queue-only'])).code).toBe(0);
    const rows = page.getByTestId('queue-row');
    await expect(rows).toHaveCount(2, { timeout: 15_000 });
    await expect(rows.and(page.locator('[data-status="verified"]'))).toHaveCount(2, { timeout: 30_000 });
  } finally {
    follower.child.kill('SIGINT');
    await follower.done;
  }
});

test('the views are tabs for the keyboard, and an empty queue says what to do first', async ({ page, quire }) => {
  await page.goto(quire.url);
  const uploadTab = page.getByRole('tab', { name: /^Upload/ });
  await uploadTab.click();
  await page.keyboard.press('ArrowRight');
  const queueTab = page.getByRole('tab', { name: /^Queue/ });
  await expect(queueTab).toBeFocused();
  await expect(queueTab).toHaveAttribute('aria-selected', 'true');
  await expect(page).toHaveURL(/#\/queue$/);
  // No connection yet: the queue sends the author to Connections first.
  await expect(page.getByRole('heading', { name: 'No connection yet' })).toBeVisible();
  await page.getByRole('button', { name: 'Add a connection' }).press('Enter');
  await expect(page.getByRole('tab', { name: /^Connections/ })).toHaveAttribute('aria-selected', 'true');
  await page.getByRole('tab', { name: /^Connections/ }).focus();
  await page.keyboard.press('End');
  await expect(page.getByRole('tab', { name: /^Settings/ })).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('Home');
  await expect(uploadTab).toBeFocused();
  await expect(uploadTab).toHaveAttribute('aria-selected', 'true');
});
