import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import { formatBytes } from '../../src/shared/format';
import { waitFor } from '../support/waitFor';
import { expect, test, type QuireFixture } from './fixtures';

/**
 * The Analytics view against `quire serve` and radosgw, after real uploads (one of them failed):
 * the figures the page shows are the uploads the test made, counted from the queue by the test;
 * the uPlot chart draws today's bar in the content types' colours under the strict CSP; every
 * chart turns into a table; the CSV the page builds is byte for byte what `quire stats --csv`
 * prints for the same range; screenshots in both themes.
 */

const KIB = 1024;
const MIB = 1024 * 1024;
const screenshots = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));

interface QueuedUpload {
  sourcePath: string;
  status: string;
  size: number;
  category: string;
}

async function queueOf(quire: QuireFixture): Promise<QueuedUpload[]> {
  const listed = await quire.cli(['queue', '--json']);
  // It ends with 1 while a failed upload is listed.
  expect([0, 1], listed.stderr).toContain(listed.code);
  return JSON.parse(listed.stdout) as QueuedUpload[];
}

/** Errors the page logs and CSP violations (uPlot draws under the page's strict policy). */
async function watchForProblems(page: Page): Promise<string[]> {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  await page.addInitScript({
    content: `document.addEventListener('securitypolicyviolation', (e) => console.error('CSP violation: ' + e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline')));`,
  });
  return problems;
}

test('after real uploads (one failed), the page shows their figures, draws them with uPlot, turns each chart into a table, and exports the CSV quire stats prints', async ({ page, quire }, testInfo) => {
  test.setTimeout(180_000);
  const problems = await watchForProblems(page);
  await quire.addConnection();
  const dir = testInfo.outputPath('files');
  mkdirSync(dir, { recursive: true });
  const files: [string, number][] = [
    ['the-long-winter.pdf', 2 * MIB + 17],
    ['novella.epub', 300 * KIB],
    ['cover.jpg', 200 * KIB],
    ['chapter-01.mp3', MIB],
    ['chapter-02.mp3', MIB + MIB / 2],
    ['gone.pdf', 64 * KIB],
  ];
  for (const [name, size] of files) writeFileSync(join(dir, name), randomBytes(size));
  // Queued while no Quire drives the queue; one file taken away before its turn comes (it fails).
  await quire.kill();
  const queued = await quire.cli(['upload', dir, '--queue-only']);
  expect(queued.code, queued.stderr).toBe(0);
  rmSync(join(dir, 'gone.pdf'));
  await quire.restart();
  const uploads = await waitFor(
    'every upload verified or failed',
    async () => {
      const all = await queueOf(quire);
      return all.length === files.length && all.every((u) => u.status === 'verified' || u.status === 'failed') ? all : null;
    },
    90_000,
    500,
  );
  // The test's own count, from the queue's rows.
  const verified = uploads.filter((u) => u.status === 'verified');
  expect(verified).toHaveLength(5);
  expect(uploads.filter((u) => u.status === 'failed').map((u) => u.sourcePath)).toEqual([join(dir, 'gone.pdf')]);
  const byCategory = new Map<string, { uploads: number; bytes: number }>();
  for (const u of verified) {
    const c = byCategory.get(u.category) ?? { uploads: 0, bytes: 0 };
    byCategory.set(u.category, { uploads: c.uploads + 1, bytes: c.bytes + u.size });
  }
  const verifiedBytes = verified.reduce((sum, u) => sum + u.size, 0);

  await page.goto(quire.url);
  await page.getByRole('tab', { name: 'Analytics' }).click();
  await expect(page.getByRole('heading', { name: 'Analytics' })).toBeVisible();
  const today = new Date().toISOString().slice(0, 10);
  const thirtyDaysBack = new Date(Math.floor(Date.now() / 86_400_000) * 86_400_000 - 29 * 86_400_000).toISOString().slice(0, 10);
  await expect(page.getByTestId('analytics-range')).toContainText(`All connections, ${thirtyDaysBack} to ${today} (whole days, UTC)`);

  // The figures are the test's.
  await expect(page.getByTestId('tile-verified')).toContainText(`5${formatBytes(verifiedBytes)}`);
  await expect(page.getByTestId('tile-success')).toContainText('83.3%1 failed · 0 cancelled');
  await expect(page.getByTestId('tile-median')).not.toContainText('—');
  await expect(page.getByTestId('tile-median')).toContainText('5 measured');
  const rows = page.getByTestId('category-row');
  await expect(rows).toHaveCount(byCategory.size);
  for (const [category, c] of byCategory) await expect(rows.and(page.locator(`[data-category="${category}"]`))).toContainText(`${c.uploads} · ${formatBytes(c.bytes)}`);
  const failure = page.getByTestId('failure-row');
  await expect(failure).toHaveCount(1);
  await expect(failure).toContainText('1 upload');
  await expect(failure).toContainText('gone.pdf');
  await expect(failure).toContainText('What to do:');

  // uPlot drew today's bar (the last of 30) in a content type's colour; pointing at it says its figures.
  const chart = page.getByTestId('uploads-chart');
  await expect(chart.locator('canvas')).toHaveCount(1);
  const over = await chart.locator('.u-over').boundingBox();
  expect(over).not.toBeNull();
  const barX = over!.x + over!.width * (29.5 / 30);
  await page.mouse.move(barX, over!.y + over!.height - 4);
  await expect(page.getByTestId('chart-readout')).toContainText(/: 5 · /);
  const swatches = await page
    .getByTestId('uploads-card')
    .locator('ul[aria-label="Content types"] span')
    .evaluateAll((spans) => spans.map((s) => getComputedStyle(s).backgroundColor));
  const pixel = await chart.evaluate((element, point) => {
    const canvas = element.querySelector('canvas')!;
    const box = canvas.getBoundingClientRect();
    const ratio = canvas.width / box.width;
    const [r, g, b] = canvas.getContext('2d')!.getImageData(Math.round((point.x - box.left) * ratio), Math.round((point.y - box.top) * ratio), 1, 1).data;
    return `rgb(${r}, ${g}, ${b})`;
  }, { x: barX, y: over!.y + over!.height - 2 });
  expect(swatches).toContain(pixel);

  // Each chart as a table.
  const uploadsCard = page.getByTestId('uploads-card');
  await uploadsCard.getByRole('button', { name: 'Table' }).click();
  const todayRow = uploadsCard.getByTestId('uploads-table').locator('tbody tr');
  await expect(todayRow).toHaveCount(1);
  await expect(todayRow.locator('th')).toHaveText(today);
  await expect(todayRow.locator('td').last()).toHaveText('5');
  await uploadsCard.getByRole('button', { name: 'Bytes' }).click();
  await expect(todayRow.locator('td').last()).toHaveText(formatBytes(verifiedBytes));
  await uploadsCard.getByRole('button', { name: 'Chart' }).click();
  await uploadsCard.getByRole('button', { name: 'Uploads' }).click();
  for (const id of ['categories-card', 'requests-card', 'failures-card']) {
    const card = page.getByTestId(id);
    await card.getByRole('button', { name: 'Table' }).click();
    await expect(card.locator('table')).toBeVisible();
    await card.getByRole('button', { name: 'Chart' }).click();
  }
  await expect(page.getByTestId('slowest-table').locator('tbody tr')).not.toHaveCount(0);

  // The CSV is what `quire stats --csv TABLE` prints for the same range.
  for (const table of ['uploads', 'categories', 'summary']) {
    await page.getByLabel('Export').selectOption(table);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download CSV', exact: true }).click()]);
    expect(download.suggestedFilename()).toBe(`quire-stats-${thirtyDaysBack}-to-${today}-${table}.csv`);
    const fromPage = readFileSync((await download.path())!, 'utf8');
    const printed = await quire.cli(['stats', '--since', '30d', '--csv', table]);
    expect(printed.code, printed.stderr).toBe(0);
    if (table === 'summary') {
      // The summary's rows are the same; only the moment each report was made may differ.
      expect(fromPage.split('\r\n').length).toBe(printed.stdout.split('\r\n').length);
      expect(fromPage).toContain('uploads verified,5\r\n');
      expect(fromPage).toContain('uploads failed,1\r\n');
    } else expect(fromPage).toBe(printed.stdout);
  }
  const [cardCsv] = await Promise.all([page.waitForEvent('download'), page.getByTestId('categories-card').getByRole('button', { name: 'By content type: download CSV' }).click()]);
  expect(readFileSync((await cardCsv.path())!, 'utf8')).toBe((await quire.cli(['stats', '--since', '30d', '--csv', 'categories'])).stdout);

  await page.mouse.move(barX, over!.y + over!.height - 4);
  await page.emulateMedia({ colorScheme: 'light' });
  await page.screenshot({ path: join(screenshots, 'analytics-light.png') });
  await page.emulateMedia({ colorScheme: 'dark' });
  // Drawn again in the dark theme's colours.
  await expect(chart).toHaveAttribute('data-scheme', 'dark');
  await page.mouse.move(barX, over!.y + over!.height - 4);
  await page.screenshot({ path: join(screenshots, 'analytics-dark.png') });
  await page.emulateMedia({ colorScheme: 'light' });

  // Other ranges and bar widths are asked of the engine.
  await page.getByRole('button', { name: '7 days' }).click();
  const sevenDaysBack = new Date(Math.floor(Date.now() / 86_400_000) * 86_400_000 - 6 * 86_400_000).toISOString().slice(0, 10);
  await expect(page.getByTestId('analytics-range')).toContainText(`${sevenDaysBack} to ${today}`);
  await page.getByRole('button', { name: 'Per week' }).click();
  await expect(page.getByRole('heading', { name: 'Uploads per week by content type' })).toBeVisible();
  await uploadsCard.getByRole('button', { name: 'Table' }).click();
  await expect(uploadsCard.getByRole('columnheader', { name: 'Week of' })).toBeVisible();
  await expect(todayRow.locator('td').last()).toHaveText('5');
  await page.getByRole('button', { name: 'All', exact: true }).click();
  await expect(page.getByTestId('tile-verified')).toContainText('5');

  expect(problems).toEqual([]);
});
