import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test, type QuireFixture } from './fixtures';

/**
 * The Settings view against `quire serve`: a bandwidth cap typed in MiB/s is checked by the
 * contract's schema in the page, saved in the ledger (so `quire settings` and a running queue see
 * it), shown as in force, and still there after a reload; a value out of range is refused at its
 * field and changes nothing.
 */

const MIB = 1024 * 1024;
const screenshots = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));

async function savedSettings(quire: QuireFixture): Promise<{ bandwidthLimit: number; requestsPerSecond: number }> {
  const shown = await quire.cli(['settings', '--json']);
  expect(shown.code, shown.stderr).toBe(0);
  return JSON.parse(shown.stdout) as { bandwidthLimit: number; requestsPerSecond: number };
}

test('a bandwidth cap set in the page is in force, in the ledger and after a reload; a bad value is refused at its field', async ({ page, quire }) => {
  await page.goto(quire.url);
  await page.getByRole('tab', { name: /^Settings/ }).click();
  const cap = page.getByRole('textbox', { name: 'Bandwidth cap (MiB/s)' });
  const rate = page.getByRole('textbox', { name: 'Request rate (requests per second)' });
  const inForce = page.getByTestId('in-force-bandwidth');
  await expect(inForce).toHaveText('no cap');
  await expect(rate).toHaveValue('300');

  // Refused in the page, at the field, with the units the author typed in; nothing is saved.
  await cap.fill('-3');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(cap).toHaveAttribute('aria-invalid', 'true');
  await expect(cap).toBeFocused();
  await expect(page.getByText('give the cap as a number of MiB per second')).toBeVisible();
  await rate.fill('2.5');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(rate).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByText('give a whole number of requests per second from 1 to 10,000')).toBeVisible();
  expect(await savedSettings(quire)).toMatchObject({ bandwidthLimit: 0, requestsPerSecond: 300 });

  await cap.fill('2.5');
  await rate.fill('120');
  await expect(cap).not.toHaveAttribute('aria-invalid', 'true');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(inForce).toHaveText('2.5 MiB/s (about 21 Mbit/s)');
  await expect(page.getByTestId('in-force-rate')).toContainText('120 requests per second');
  expect(await savedSettings(quire)).toMatchObject({ bandwidthLimit: 2.5 * MIB, requestsPerSecond: 120 });

  // A change from another shell shows here too once the page looks again.
  expect((await quire.cli(['settings', '--limit-rate', '3MiB'])).code).toBe(0);
  await page.reload();
  await page.getByRole('tab', { name: /^Settings/ }).click();
  await expect(inForce).toHaveText('3 MiB/s (about 25.2 Mbit/s)');
  await expect(cap).toHaveValue('3');

  await page.emulateMedia({ colorScheme: 'light' });
  await page.screenshot({ path: join(screenshots, 'settings-light.png') });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: join(screenshots, 'settings-dark.png') });
  await page.emulateMedia({ colorScheme: 'light' });
});
