import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import type { SettingsReport } from '../../src/shared/settings';
import type { UploadDetails } from '../../src/shared/upload';
import { startQuire } from '../support/quireCli';
import { expect, test, type QuireFixture } from './fixtures';

/**
 * The Settings view against `quire serve`: part size, requests in flight, large files at once, the
 * bandwidth cap and the request rate, typed in the author's units, are checked by the contract's
 * schema in the page, saved in the ledger (so `quire settings` and a running queue see them),
 * shown as in force, and still there after a reload; a value out of range is refused at its field
 * and changes nothing. A saved part size is what the next large file is cut into, and a value a
 * flag holds for this run is shown as the one in force, with the saved choice waiting.
 */

const MIB = 1024 * 1024;
const screenshots = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));

async function savedSettings(quire: QuireFixture): Promise<SettingsReport> {
  const shown = await quire.cli(['settings', '--json']);
  expect(shown.code, shown.stderr).toBe(0);
  return JSON.parse(shown.stdout) as SettingsReport;
}

async function openSettings(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.getByRole('tab', { name: /^Settings/ }).click();
}

const fields = (page: Page) => ({
  partSize: page.getByRole('textbox', { name: 'Part size (MiB)' }),
  requestsInFlight: page.getByRole('textbox', { name: 'Requests in flight' }),
  filesAtOnce: page.getByRole('textbox', { name: 'Large files at once' }),
  cap: page.getByRole('textbox', { name: 'Bandwidth cap (MiB/s)' }),
  rate: page.getByRole('textbox', { name: 'Request rate (requests per second)' }),
});

test('settings changed in the page are in force, in the ledger and after a reload; a bad value is refused at its field', async ({ page, quire }) => {
  await openSettings(page, quire.url);
  const { partSize, requestsInFlight, filesAtOnce, cap, rate } = fields(page);
  const save = page.getByRole('button', { name: 'Save' });
  await expect(page.getByTestId('in-force-bandwidth')).toHaveText('no cap');
  await expect(page.getByTestId('in-force-part-size')).toHaveText('10 MiB');
  await expect(page.getByTestId('in-force-requests-in-flight')).toHaveText('8 requests');
  await expect(page.getByTestId('in-force-files-at-once')).toHaveText('3 large files');
  await expect(rate).toHaveValue('300');
  await expect(partSize).toHaveValue('10');
  // Nothing is held by a flag in a plain `quire serve`.
  await expect(page.getByText('This Quire was started with a flag')).toHaveCount(0);

  // Refused in the page, at the field, with the units the author typed in; nothing is saved.
  await cap.fill('-3');
  await save.click();
  await expect(cap).toHaveAttribute('aria-invalid', 'true');
  await expect(cap).toBeFocused();
  await expect(page.getByText('give the cap as a number of MiB per second')).toBeVisible();
  await rate.fill('2.5');
  await save.click();
  await expect(rate).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByText('give a whole number of requests per second from 1 to 10,000')).toBeVisible();
  await cap.fill('2.5');
  await rate.fill('120');
  // A part of 1 MiB is below what S3 accepts: the schema's own words, at the part size, which takes the focus.
  await partSize.fill('1');
  await requestsInFlight.fill('1.5');
  await save.click();
  await expect(partSize).toHaveAttribute('aria-invalid', 'true');
  await expect(partSize).toBeFocused();
  await expect(partSize).toHaveAccessibleDescription(/a part is at least 5 MiB \(the smallest S3 accepts\)/);
  await expect(requestsInFlight).toHaveAccessibleDescription(/give a whole number of requests from 1 to 64/);
  await expect(cap).not.toHaveAttribute('aria-invalid', 'true');
  expect(await savedSettings(quire)).toMatchObject({ bandwidthLimit: 0, requestsPerSecond: 300, partSize: 10 * MIB, requestBudget: 8, filesAtOnce: 3 });

  await partSize.fill('6');
  await requestsInFlight.fill('2');
  await filesAtOnce.fill('1');
  await expect(partSize).not.toHaveAttribute('aria-invalid', 'true');
  await save.click();
  await expect(page.getByText('✓ Saved; uploads follow it now.')).toBeVisible();
  await expect(page.getByTestId('in-force-part-size')).toHaveText('6 MiB');
  await expect(page.getByTestId('in-force-requests-in-flight')).toHaveText('2 requests');
  await expect(page.getByTestId('in-force-files-at-once')).toHaveText('1 large file');
  await expect(page.getByTestId('in-force-bandwidth')).toHaveText('2.5 MiB/s (about 21 Mbit/s)');
  await expect(page.getByTestId('in-force-rate')).toContainText('120 requests per second');
  expect(await savedSettings(quire)).toMatchObject({ bandwidthLimit: 2.5 * MIB, requestsPerSecond: 120, partSize: 6 * MIB, requestBudget: 2, filesAtOnce: 1 });

  // A change from another shell shows here too once the page looks again; the page's choices stay.
  expect((await quire.cli(['settings', '--limit-rate', '3MiB'])).code).toBe(0);
  await page.reload();
  await page.getByRole('tab', { name: /^Settings/ }).click();
  await expect(page.getByTestId('in-force-bandwidth')).toHaveText('3 MiB/s (about 25.2 Mbit/s)');
  await expect(cap).toHaveValue('3');
  await expect(page.getByTestId('in-force-part-size')).toHaveText('6 MiB');
  await expect(partSize).toHaveValue('6');
  await expect(requestsInFlight).toHaveValue('2');
  await expect(filesAtOnce).toHaveValue('1');
  await expect(rate).toHaveValue('120');

  await page.emulateMedia({ colorScheme: 'light' });
  await page.screenshot({ path: join(screenshots, 'settings-light.png') });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: join(screenshots, 'settings-dark.png') });
  await page.emulateMedia({ colorScheme: 'light' });
});

test('a part size saved in the page is what the next large file is cut into', async ({ page, quire }, testInfo) => {
  await quire.addConnection();
  await openSettings(page, quire.url);
  await fields(page).partSize.fill('6');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByTestId('in-force-part-size')).toHaveText('6 MiB');

  const dir = testInfo.outputPath('files');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'narration.wav');
  writeFileSync(path, randomBytes(13 * MIB));
  const queued = await quire.cli(['upload', path, '--queue-only', '--json']);
  expect(queued.code, queued.stderr).toBe(0);
  const id = (JSON.parse(queued.stdout) as { queued: { id: string }[] }).queued[0]!.id;

  // The page's quire serve drives the queue: 13 MiB in parts of 6 MiB is 6 + 6 + 1.
  const details = async (): Promise<UploadDetails> => {
    const shown = await quire.cli(['show', id, '--json']);
    expect(shown.code, shown.stderr).toBe(0);
    return JSON.parse(shown.stdout) as UploadDetails;
  };
  await expect.poll(async () => (await details()).upload.status, { timeout: 60_000 }).toBe('verified');
  expect(await details()).toMatchObject({ partSize: 6 * MIB, partCount: 3, partsDone: 3, upload: { size: 13 * MIB, method: 'multipart' } });
});

test('a value held by a flag for this run is shown as in force, and the form keeps editing the saved choice', async ({ page, quire }) => {
  // A second quire serve on the same data folder, started with flags (the page's own one drives the queue).
  const { child, done } = startQuire(quire.dataDir, ['serve', '--port', '0', '--limit-rate', '1MiB', '--concurrency', '4']);
  try {
    let printed = '';
    child.stdout!.on('data', (chunk: Buffer) => (printed += chunk.toString()));
    await expect.poll(() => /Quire is at (http:\/\/\S+)/.exec(printed)?.[1] ?? '', { timeout: 30_000 }).not.toBe('');
    const flaggedUrl = /Quire is at (http:\/\/\S+)/.exec(printed)![1]!;

    await openSettings(page, flaggedUrl);
    const { requestsInFlight, cap } = fields(page);
    await expect(page.getByTestId('in-force-bandwidth')).toHaveText('1 MiB/s (about 8.4 Mbit/s)');
    await expect(page.getByTestId('in-force-bandwidth-fixed')).toHaveText('This Quire was started with a flag that holds it for this run. Your saved choice, no cap, applies from its next start.');
    await expect(page.getByTestId('in-force-requests-in-flight')).toHaveText('4 requests');
    await expect(page.getByTestId('in-force-requests-in-flight-fixed')).toContainText('Your saved choice, 8 requests, applies from its next start.');
    await expect(page.getByTestId('in-force-part-size-fixed')).toHaveCount(0);
    // This one only follows the queue the page's first quire serve drives, and says whose values uploads obey.
    await expect(page.getByTestId('in-force-elsewhere')).toContainText('Another Quire drives the queue now');
    // The form edits what is saved, and says at the field what holds for this run.
    await expect(cap).toHaveValue('0');
    await expect(cap).toHaveAccessibleDescription(/For this run a flag holds it at 1 MiB\/s/);
    await expect(requestsInFlight).toHaveValue('8');

    await requestsInFlight.fill('6');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect(page.getByText('✓ Saved; uploads follow it now, except the requests in flight, which a flag holds for this run.')).toBeVisible();
    await expect(page.getByTestId('in-force-requests-in-flight')).toHaveText('4 requests');
    await expect(page.getByTestId('in-force-requests-in-flight-fixed')).toContainText('Your saved choice, 6 requests, applies from its next start.');
    expect(await savedSettings(quire)).toMatchObject({ requestBudget: 6, bandwidthLimit: 0 });

    // The page's own quire serve has no flags: the saved choice is in force there.
    await openSettings(page, quire.url);
    await expect(page.getByTestId('in-force-requests-in-flight')).toHaveText('6 requests');
    await expect(page.getByTestId('in-force-bandwidth')).toHaveText('no cap');
    await expect(page.getByText('Online · idle')).toBeVisible();
    await expect(page.getByTestId('in-force-elsewhere')).toHaveCount(0);
  } finally {
    child.kill('SIGTERM');
    await done;
  }
});

test('the desktop app\'s choices are saved at each toggle, for whichever Quire reads this data folder', async ({ page, quire }) => {
  await openSettings(page, quire.url);
  const card = page.getByTestId('desktop-settings');
  await expect(card).toContainText('These apply to Quire’s desktop app');
  const notify = card.getByRole('checkbox', { name: /Notify me when a batch is verified/ });
  const tray = card.getByRole('checkbox', { name: /Keep uploading in the tray/ });
  const login = card.getByRole('checkbox', { name: /Open Quire when I log in/ });
  // The defaults: notifications on, the tray keeps uploads going, not opened at login.
  await expect(notify).toBeChecked();
  await expect(tray).toBeChecked();
  await expect(login).not.toBeChecked();
  await notify.uncheck();
  await expect(notify).toBeEnabled();
  await login.check();
  await expect(login).toBeEnabled();
  expect(await savedSettings(quire)).toMatchObject({ notifications: false, closeKeepsRunning: true, openAtLogin: true });
  const shown = await quire.cli(['settings']);
  expect(shown.stdout).toContain('desktop app          notifications off, closing keeps it in the tray on, open at login on');
  await page.reload();
  await page.getByRole('tab', { name: /^Settings/ }).click();
  await expect(notify).not.toBeChecked();
  await expect(login).toBeChecked();
});
