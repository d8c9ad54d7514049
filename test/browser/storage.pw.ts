import { CreateMultipartUploadCommand, PutObjectCommand, UploadPartCommand } from '@aws-sdk/client-s3';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import { formatBytes } from '../../src/shared/format';
import { areaOf } from '../../src/shared/usage';
import { startQuire } from '../support/quireCli';
import { FaultProxy } from '../support/faultProxy';
import { openMultipartUploads, testS3, type TestS3 } from '../support/s3Server';
import { waitFor } from '../support/waitFor';
import { dropFiles, expect, test } from './fixtures';

/**
 * The Storage view against `quire serve` and radosgw: a scan started from the page counts a
 * bucket the test filled (exact per area), the quota's state changes colour and words at 80, 90
 * and 100% as the author sets the quota, the cost follows the assumed egress and the prices, the
 * unfinished uploads are listed and aborted, a batch that would cross the quota is warned in the
 * Upload view, and a scan cut off mid-way says so and goes on to exact figures.
 */

const MIB = 1024 * 1024;
const screenshots = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));

/** What the test put in the bucket, counted by itself (not by Quire). */
class Expected {
  readonly areas = new Map<string, { objects: number; bytes: number }>();
  unfinishedBytes = 0;

  add(key: string, size: number): void {
    const area = this.areas.get(areaOf(key)) ?? { objects: 0, bytes: 0 };
    this.areas.set(areaOf(key), { objects: area.objects + 1, bytes: area.bytes + size });
  }

  get objects(): number {
    return [...this.areas.values()].reduce((sum, a) => sum + a.objects, 0);
  }

  get bytes(): number {
    return [...this.areas.values()].reduce((sum, a) => sum + a.bytes, 0);
  }

  /** What the quota counts: objects and the parts of unfinished uploads (both billed). */
  get used(): number {
    return this.bytes + this.unfinishedBytes;
  }
}

async function putObjects(s3: TestS3, bucket: string, expected: Expected, objects: { key: string; size: number }[]): Promise<void> {
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < objects.length; i = next++) {
      const { key, size } = objects[i]!;
      await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: Buffer.alloc(size, 7) }));
      expected.add(key, size);
    }
  };
  await Promise.all(Array.from({ length: 24 }, lane));
}

async function startUnfinishedUpload(s3: TestS3, bucket: string, expected: Expected, key: string, partSize: number): Promise<void> {
  const { UploadId } = await s3.client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
  await s3.client.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: 1, Body: Buffer.alloc(partSize, 3) }));
  expected.unfinishedBytes += partSize;
}

/** A theme token as the page resolves it now (light or dark), to compare computed colours with. */
async function tokenColor(page: Page, token: string): Promise<string> {
  return page.evaluate((name) => {
    const probe = document.createElement('span');
    probe.style.color = `var(${name})`;
    document.body.append(probe);
    const color = getComputedStyle(probe).color;
    probe.remove();
    return color;
  }, token);
}

/** Errors the page logs, uncaught exceptions and CSP violations (the bars' widths must not be inline style attributes). */
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

async function setQuota(page: Page, bytes: number): Promise<void> {
  const quota = page.getByTestId('quota');
  await quota.getByRole('button', { name: 'Change quota' }).click();
  await quota.getByLabel('Another size').check();
  await quota.getByLabel('Unit').selectOption('bytes');
  await quota.getByRole('textbox', { name: 'Quota' }).fill(String(bytes));
  await quota.getByRole('button', { name: 'Save quota' }).click();
  await expect(quota.getByRole('button', { name: 'Change quota' })).toBeVisible();
}

const stateWords = { normal: 'Normal', high: 'High: above 80%', warning: 'Warning: above 90%', over: 'Over quota' } as const;
const stateTokens = { normal: '--color-success', high: '--color-warning', warning: '--color-danger', over: '--color-danger' } as const;

/** The quota's state in words and in its colour (the chip's text, or its fill when over), and the meter in the same colour. */
async function expectQuotaState(page: Page, state: keyof typeof stateWords): Promise<void> {
  const chip = page.getByTestId('quota-state');
  await expect(chip).toHaveText(stateWords[state]);
  await expect(chip).toHaveAttribute('data-state', state);
  const color = await tokenColor(page, stateTokens[state]);
  if (state === 'over') await expect(chip).toHaveCSS('background-color', color);
  else await expect(chip).toHaveCSS('color', color);
  await expect(page.getByTestId('quota-meter')).toHaveCSS('color', color);
}

test('a scan from the page counts the bucket exactly by area; the quota changes colour and words at 80, 90 and 100%; the cost follows egress and prices; unfinished uploads are aborted; a batch over the quota is warned', async ({ page, quire }) => {
  test.setTimeout(240_000);
  const problems = await watchForProblems(page);
  const { bucket } = await quire.addConnection();
  const s3 = testS3();
  const expected = new Expected();
  const objects: { key: string; size: number }[] = [];
  const layout: [prefix: string, count: number, size: number][] = [
    ['books/content/novel-', 60, 40_000],
    ['books/covers/cover-', 12, 90_000],
    ['audiobooks/chapters/ch-', 25, 30_000],
    ['authors/avatars/me-', 4, 12_000],
    ['temp/upload-', 6, 5_000],
    ['misc/notes-', 9, 700],
  ];
  for (const [prefix, count, size] of layout) for (let i = 0; i < count; i += 1) objects.push({ key: `${prefix}${i}.bin`, size: size + i });
  objects.push({ key: 'readme.txt', size: 321 });
  await putObjects(s3, bucket, expected, objects);
  await startUnfinishedUpload(s3, bucket, expected, 'audiobooks/full/book.wav', MIB);
  await startUnfinishedUpload(s3, bucket, expected, 'books/content/big.pdf', MIB);
  // One more object at the top makes what is stored a multiple of 36 bytes, so a quota of exactly
  // 80% or 90% of it is a whole number of bytes: the thresholds are tested at the byte.
  const pad = 36 - (expected.used % 36) || 36;
  await putObjects(s3, bucket, expected, [{ key: 'pad.bin', size: pad }]);
  const used = expected.used;
  expect(used % 36).toBe(0);

  await page.goto(quire.url);
  await page.getByRole('tab', { name: 'Storage' }).click();
  const scan = page.getByTestId('scan');
  await expect(scan).toHaveAttribute('data-state', 'never');
  await expect(scan).toContainText('Never scanned.');

  await scan.getByRole('button', { name: 'Scan the bucket' }).click();
  await expect(scan).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
  await expect(page.getByTestId('scanned-at')).toContainText(/Scanned just now .* by listing the bucket, its totals taken at once from the server’s bucket statistics\./);

  // Exact, per area, and largest first.
  await expect(page.getByTestId('total-objects')).toHaveText(expected.objects.toLocaleString('en-US'));
  await expect(page.getByTestId('total-bytes')).toHaveAttribute('title', `${expected.bytes.toLocaleString('en-US')} bytes`);
  const rows = page.getByTestId('area-row');
  const byBytes = [...expected.areas.entries()].sort((a, b) => b[1].bytes - a[1].bytes);
  await expect(rows).toHaveCount(byBytes.length);
  expect(await rows.evaluateAll((all) => all.map((row) => row.getAttribute('data-area')))).toEqual(byBytes.map(([area]) => area));
  for (const [area, figures] of byBytes) {
    const row = page.locator(`[data-testid=area-row][data-area="${area}"]`);
    await expect(row.getByTestId('area-objects')).toHaveText(figures.objects.toLocaleString('en-US'));
    await expect(row.getByTestId('area-bytes')).toHaveAttribute('data-bytes', String(figures.bytes));
  }
  await expect(page.getByTestId('unfinished')).toContainText(`2 unfinished uploads hold ${formatBytes(2 * MIB)}`);

  // The Spaces plan's quota by default; then the author's own, at each threshold and a byte past it.
  await expectQuotaState(page, 'normal');
  await expect(page.getByTestId('quota-figures')).toHaveText(`${formatBytes(used)} of 250.0 GiB (<0.1%)`);
  await setQuota(page, (used * 5) / 4);
  await expectQuotaState(page, 'normal');
  await expect(page.getByTestId('quota-figures')).toHaveText(`${formatBytes(used)} of ${formatBytes((used * 5) / 4)} (80%)`);
  await setQuota(page, (used * 5) / 4 - 1);
  await expectQuotaState(page, 'high');
  await setQuota(page, (used * 10) / 9);
  await expectQuotaState(page, 'high');
  await expect(page.getByTestId('quota-figures')).toHaveText(`${formatBytes(used)} of ${formatBytes((used * 10) / 9)} (90%)`);
  await setQuota(page, (used * 10) / 9 - 1);
  await expectQuotaState(page, 'warning');
  await setQuota(page, used);
  await expectQuotaState(page, 'warning');
  await expect(page.getByTestId('quota-figures')).toHaveText(`${formatBytes(used)} of ${formatBytes(used)} (100%)`);
  await setQuota(page, used - 1);
  await expectQuotaState(page, 'over');
  await expect(page.getByTestId('quota')).toContainText('over by 1 B');
  // The same states read in the dark theme, each in that theme's colour.
  await page.emulateMedia({ colorScheme: 'dark' });
  await expectQuotaState(page, 'over');
  await setQuota(page, Math.ceil(used / 0.85));
  await expectQuotaState(page, 'high');
  await page.emulateMedia({ colorScheme: 'light' });
  await expectQuotaState(page, 'high');

  // The month's cost: the plan alone, then with the egress the author assumes, then other prices.
  const cost = page.getByTestId('cost');
  await expect(page.getByTestId('cost-monthly')).toHaveText('$5.00');
  await cost.getByRole('textbox', { name: 'Transfer out per month (GiB)' }).fill('2048');
  // 1,024 GiB beyond the plan's 1 TiB at $0.01.
  await expect(page.getByTestId('cost-monthly')).toHaveText('$15.24');
  await expect(cost).toContainText('assumed 2048 GiB');
  await cost.getByRole('button', { name: 'Change prices' }).click();
  await cost.getByRole('textbox', { name: 'Per GiB out beyond' }).fill('0.02');
  await cost.getByRole('button', { name: 'Save prices' }).click();
  await expect(page.getByTestId('cost-monthly')).toHaveText('$25.48');
  await expect(cost).toContainText('Prices: your own');
  await cost.getByRole('button', { name: 'Change prices' }).click();
  await cost.getByRole('button', { name: 'Back to Spaces’ prices' }).click();
  await expect(page.getByTestId('cost-monthly')).toHaveText('$15.24');
  await expect(cost).toContainText('DigitalOcean Spaces’ standard plan');
  await expect(page.getByTestId('cost-projection')).toContainText('Nothing uploaded in the last 30 days');

  // The unfinished uploads, each with its size, age and the days Spaces still keeps it.
  const orphans = page.getByTestId('orphan-row');
  await expect(orphans).toHaveCount(2);
  for (const key of ['audiobooks/full/book.wav', 'books/content/big.pdf']) {
    const row = orphans.filter({ hasText: key });
    await expect(row.getByTestId('orphan-size')).toHaveText(`${formatBytes(MIB)} (1 part)`);
    await expect(row.getByTestId('orphan-days-left')).toHaveText('in 30 days');
  }
  // temp/ objects made minutes ago are not old enough to be offered for removal.
  await expect(page.getByTestId('temp-none')).toBeVisible();

  await page.emulateMedia({ colorScheme: 'light' });
  await page.getByRole('heading', { name: 'Storage' }).scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(screenshots, 'storage-light.png') });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: join(screenshots, 'storage-dark.png') });
  await page.emulateMedia({ colorScheme: 'light' });

  // A batch that would cross the quota is warned above the send button, by how much; it may still go.
  const batch = 3 * MIB;
  await setQuota(page, used + MIB);
  await page.getByRole('tab', { name: 'Upload' }).click();
  await dropFiles(page, '[data-testid=drop-zone]', [{ name: 'full-book.wav', mimeType: 'audio/wav', size: batch }]);
  const warning = page.getByTestId('quota-warning');
  await expect(warning).toHaveAttribute('data-state', 'over');
  await expect(warning.getByTestId('quota-warning-figures')).toContainText(`With these files: ${formatBytes(used + batch)} of ${formatBytes(used + MIB)}`);
  await expect(warning.getByTestId('quota-warning-over')).toHaveText(`over quota by ${formatBytes(batch - MIB)}`);
  await expect(warning).toHaveCSS('border-top-color', await tokenColor(page, '--color-danger'));
  await expect(page.getByTestId('upload-send')).toBeEnabled();
  // Into the 80-90% band: warned as high, not over.
  await page.getByRole('tab', { name: 'Storage' }).click();
  await setQuota(page, Math.ceil((used + batch) / 0.85));
  await page.getByRole('tab', { name: 'Upload' }).click();
  await expect(warning).toHaveAttribute('data-state', 'high');
  await expect(warning).toContainText('High: above 80%');
  await expect(warning.getByTestId('quota-warning-over')).toHaveCount(0);
  // Within the quota: nothing to say.
  await page.getByRole('tab', { name: 'Storage' }).click();
  await setQuota(page, (used + batch) * 2);
  await page.getByRole('tab', { name: 'Upload' }).click();
  await expect(page.getByTestId('upload-send')).toBeEnabled();
  await expect(page.getByText('Asking the bucket which keys are free…')).toHaveCount(0);
  await expect(warning).toHaveCount(0);

  // Abort one unfinished upload from its row: only that one goes.
  await page.getByRole('tab', { name: 'Storage' }).click();
  await page.getByRole('button', { name: 'Abort the unfinished upload of audiobooks/full/book.wav' }).click();
  const dialog = page.getByRole('alertdialog');
  await expect(dialog).toContainText('Abort the unfinished upload of audiobooks/full/book.wav?');
  await expect(dialog).toContainText('started within the last day');
  await dialog.getByRole('button', { name: 'Abort it' }).click();
  await expect(page.getByTestId('orphans')).toContainText(`Aborted 1 unfinished upload (${formatBytes(MIB)} no longer billed).`);
  await expect(orphans).toHaveCount(1);
  await expect(orphans).toContainText('books/content/big.pdf');
  expect(await openMultipartUploads(s3, bucket)).toBe(1);
  // Then the rest (started minutes ago: included only because the author ticks it).
  await page.getByTestId('orphans').getByRole('button', { name: 'Abort all 1…' }).click();
  await expect(dialog).toContainText('Abort 1 unfinished upload?');
  await expect(dialog.getByRole('checkbox')).toBeChecked();
  await dialog.getByRole('button', { name: 'Abort 1' }).click();
  await expect(page.getByTestId('orphans')).toContainText(`Aborted 1 unfinished upload (${formatBytes(MIB)} no longer billed).`);
  await expect(page.getByTestId('orphans-none')).toBeVisible();
  expect(await openMultipartUploads(s3, bucket)).toBe(0);

  // Counted again, nothing unfinished is left.
  await page.getByTestId('scan').getByRole('button', { name: 'Scan now' }).click();
  await expect(page.getByTestId('unfinished')).toHaveCount(0, { timeout: 60_000 });
  await expect(page.getByTestId('scan')).toHaveAttribute('data-state', 'done');
  await expect(page.getByTestId('quota-figures')).toContainText(`${formatBytes(expected.bytes)} of`);
  expect(problems).toEqual([]);
});

test('a scan cut off mid-way (its process killed) says so and goes on; cancelled from the page it goes on again, with live progress, and ends exact', async ({ page, quire }) => {
  test.setTimeout(240_000);
  const { bucket } = await quire.addConnection({ name: 'direct' });
  const s3 = testS3();
  const expected = new Expected();
  // Several pages of 1,000 in one prefix, so the scan can be cut between two of them.
  const objects = Array.from({ length: 2600 }, (_, i) => ({ key: `books/content/ch-${i}.txt`, size: 100 + (i % 50) }));
  for (let i = 0; i < 30; i += 1) objects.push({ key: `authors/branding/logo-${i}.svg`, size: 2000 + i });
  await putObjects(s3, bucket, expected, objects);
  // The same bucket through a proxy that answers each request after 600 ms: a scan takes seconds,
  // so its progress is seen and it can be cancelled. The default connection.
  const proxy = new FaultProxy(s3.endpoint);
  await proxy.start();
  try {
    const added = await quire.cli(
      ['connect', 'add', 'slow', '--provider', 's3_compatible', '--endpoint', proxy.endpoint, '--region', s3.region, '--bucket', bucket, '--path-style', '--access-key-id', s3.accessKeyId, '--secret-stdin', '--default'],
      { input: `${s3.secretAccessKey}\n` },
    );
    expect(added.code, added.stderr).toBe(0);
    proxy.latencyMs = 600;

    // `quire usage --refresh` on the same data folder, killed once it has recorded a page.
    const { child, done } = startQuire(quire.dataDir, ['usage', '--refresh']);
    const db = new Database(join(quire.dataDir, 'ledger.sqlite'), { readonly: true, fileMustExist: true });
    try {
      await waitFor('a page listed', () => (db.prepare('SELECT coalesce(sum(pages), 0) AS n FROM usage_scan_units').get() as { n: number }).n > 0, 60_000, 5);
      child.kill('SIGKILL');
      await done;
      expect(db.prepare('SELECT state FROM usage_scans').get()).toEqual({ state: 'running' });
    } finally {
      db.close();
    }

    await page.goto(quire.url);
    await page.getByRole('tab', { name: 'Storage' }).click();
    await expect(page.getByLabel('Connection')).toHaveValue('slow');
    const scan = page.getByTestId('scan');
    await expect(scan).toHaveAttribute('data-state', 'interrupted');
    await expect(scan).toContainText('The last scan stopped mid-way');
    await expect(scan).toContainText('It goes on from where it stopped.');
    // The cut-off scan had asked the server for its count: the totals are already exact.
    await expect(page.getByTestId('totals-from')).toHaveText('totals counted by the server (exact); the areas follow when the scan ends');

    // Going on shows the scan's progress as it lists; cancelled, it says so and can go on again.
    await scan.getByRole('button', { name: 'Go on with the scan' }).click();
    await expect(scan).toHaveAttribute('data-state', 'running');
    await expect(scan.getByTestId('scan-progress')).toHaveText(/^[\d,]+ of [\d,]+ objects counted by area · \d+ of \d+ prefixes listed$/);
    await scan.getByRole('button', { name: 'Cancel scan' }).click();
    await expect(scan).toHaveAttribute('data-state', 'cancelled');
    await expect(scan).toContainText('The scan was cancelled');

    // Every text the scan bar shows from here, as the page shows it.
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { scanTexts: string[] }).scanTexts = seen;
      const bar = document.querySelector('[data-testid=scan]')!.parentElement!;
      new MutationObserver(() => {
        const now = bar.querySelector('[data-testid=scan]');
        if (now) seen.push(`${now.getAttribute('data-state')}: ${now.textContent ?? ''}`);
      }).observe(bar, { subtree: true, childList: true, characterData: true, attributes: true });
    });
    await scan.getByRole('button', { name: 'Go on with the scan' }).click();
    await expect(scan).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
    const texts = await page.evaluate(() => (window as unknown as { scanTexts: string[] }).scanTexts);
    expect(texts.some((text) => /^running: Scanning… [\d,]+ of [\d,]+ objects counted by area · \d+ of \d+ prefixes listed/.test(text)), texts.join('\n')).toBe(true);

    await expect(page.getByTestId('total-objects')).toHaveText(expected.objects.toLocaleString('en-US'));
    await expect(page.getByTestId('total-bytes')).toHaveAttribute('title', `${expected.bytes.toLocaleString('en-US')} bytes`);
    for (const [area, figures] of expected.areas) {
      const row = page.locator(`[data-testid=area-row][data-area="${area}"]`);
      await expect(row.getByTestId('area-objects')).toHaveText(figures.objects.toLocaleString('en-US'));
      await expect(row.getByTestId('area-bytes')).toHaveAttribute('data-bytes', String(figures.bytes));
    }

    // The other connection to the same bucket has its own figures: not scanned yet.
    await page.getByLabel('Connection').selectOption('direct');
    await expect(page.getByTestId('scan')).toHaveAttribute('data-state', 'never');
  } finally {
    await proxy.stop();
  }
});

test('temporary files over a day old are listed and removed together by one confirmed action, and nothing goes before it', async ({ page, quire }) => {
  await quire.addConnection();
  // radosgw stamps objects with its own clock, so no object of a test is a day old: the engine's
  // answers about temp/ are played by the test (the engine's own checks are tested against radosgw
  // in test/usage.test.ts); everything else goes to quire serve.
  const day = 24 * 3600 * 1000;
  const old = [
    { key: 'temp/upload-a.part', size: 3 * MIB, lastModified: Date.now() - 3 * day },
    { key: 'temp/upload-b.part', size: 512 * 1024, lastModified: Date.now() - 2 * day },
  ];
  const removals: unknown[] = [];
  await page.routeWebSocket(/\/ws$/, (ws) => {
    const server = ws.connectToServer();
    ws.onMessage((frame) => {
      const message = JSON.parse(String(frame)) as { id: number; command: string; input: { keys?: string[] } };
      if (message.command === 'temp.list') {
        ws.send(JSON.stringify({ id: message.id, outcome: { ok: true, value: { connection: 'radosgw', objects: removals.length ? [] : old, bytes: removals.length ? 0 : old.reduce((s, o) => s + o.size, 0) } } }));
      } else if (message.command === 'temp.remove') {
        removals.push(message.input);
        ws.send(JSON.stringify({ id: message.id, outcome: { ok: true, value: { connection: 'radosgw', objects: [], bytes: 0, removed: message.input.keys, kept: [] } } }));
      } else server.send(frame);
    });
  });

  await page.goto(quire.url);
  await page.getByRole('tab', { name: 'Storage' }).click();
  const temp = page.getByTestId('temp');
  await expect(temp.getByTestId('temp-row')).toHaveCount(2);
  await expect(temp.getByTestId('temp-summary')).toHaveText(`2 temporary files holding ${formatBytes(3.5 * MIB)}.`);
  await expect(temp.getByTestId('temp-row').first()).toContainText('3 days ago');

  // Kept when the author thinks again.
  await temp.getByRole('button', { name: 'Remove all 2…' }).click();
  const dialog = page.getByRole('alertdialog');
  await expect(dialog).toContainText('Remove 2 temporary files?');
  await dialog.getByRole('button', { name: 'Keep them' }).click();
  await expect(dialog).toHaveCount(0);
  expect(removals).toEqual([]);

  // One confirmed action removes exactly the listed objects.
  await temp.getByRole('button', { name: 'Remove all 2…' }).click();
  await dialog.getByRole('button', { name: 'Remove 2' }).click();
  await expect(temp).toContainText('Removed 2 temporary files.');
  await expect(temp.getByTestId('temp-none')).toBeVisible();
  expect(removals).toEqual([{ connection: 'radosgw', keys: old.map((o) => o.key) }]);
});
