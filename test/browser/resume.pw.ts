import { createHash } from 'node:crypto';
import { expect, expectedSha256, dropFiles, fileSeed, test } from './fixtures';

/**
 * The promise itself, in the browser: a chapter dropped in the page is uploading when `quire
 * serve` is killed (SIGKILL, a crash); started again and opened at its new address, the page
 * shows the upload resuming from where it was — its staged copy and its finished parts kept —
 * and it is verified with exactly the dropped bytes.
 */

const MIB = 1024 * 1024;

test('a browser drop interrupted by a crash resumes where it was after a restart, and is verified', async ({ page, quire }) => {
  test.setTimeout(240_000);
  await quire.addConnection();
  // 48 MiB in 6 MiB parts, one request at a time at 4 MiB/s: a part every 1.5 s, time enough to crash it mid-way
  // (a part counts once the bucket has it all, so parts sent side by side would all land at the end).
  expect((await quire.cli(['settings', '--limit-rate', '4MiB', '--part-size', '6MiB', '--concurrency', '1'])).code).toBe(0);
  const chapter = { name: 'chapter-07.wav', mimeType: 'audio/wav', size: 48 * MIB };

  await page.goto(quire.url);
  await page.getByRole('tab', { name: /^Upload/ }).click();
  await dropFiles(page, '[data-testid=drop-zone]', [chapter]);
  await expect(page.getByTestId('preview-row')).toHaveAttribute('data-key', 'audiobooks/chapters/chapter-07.wav', { timeout: 60_000 });
  await page.getByTestId('upload-send').click();
  await expect(page.getByTestId('upload-outcome')).toBeVisible();

  await page.getByRole('tab', { name: /^Queue/ }).click();
  const row = page.getByTestId('queue-row').filter({ hasText: 'chapter-07.wav' });
  // Wait until at least two parts are in the bucket, by the ledger's own count.
  const queue = async () => JSON.parse((await quire.cli(['queue', '--json'])).stdout) as { id: string; bytesDone: number }[];
  await expect.poll(async () => (await queue())[0]?.bytesDone ?? 0, { timeout: 60_000, intervals: [250] }).toBeGreaterThanOrEqual(12 * MIB);
  const { id } = (await queue())[0]!;
  await expect(row).toHaveAttribute('data-status', 'uploading');

  await quire.kill();
  const before = JSON.parse((await quire.cli(['show', id, '--json'])).stdout) as { partsDone: number; partCount: number; upload: { bytesDone: number; status: string } };
  expect(before.upload.status).toBe('uploading'); // what the crash left in the ledger
  expect(before.partsDone).toBeGreaterThanOrEqual(2);
  expect(before.partsDone).toBeLessThan(before.partCount);

  const restartedAt = Date.now();
  await quire.restart();
  await page.goto(quire.url);
  await page.getByRole('tab', { name: /^Queue/ }).click();
  // Resumed, not restarted: the page never shows less than what was already in the bucket...
  const shown = Number(await row.locator('progress').getAttribute('value'));
  expect(shown).toBeGreaterThanOrEqual(before.partsDone * 6 * MIB);
  // ...says so, and the upload ends verified.
  await expect(row).toContainText(/resumed at \d+%/, { timeout: 30_000 });
  await expect(row).toHaveAttribute('data-status', 'verified', { timeout: 120_000 });

  // The bucket holds exactly the dropped bytes; the parts already sent were not sent again.
  const link = JSON.parse((await quire.cli(['link', 'audiobooks/chapters/chapter-07.wav', '--json'])).stdout) as { url: string };
  const response = await fetch(link.url);
  expect(response.status).toBe(200);
  expect(createHash('sha256').update(Buffer.from(await response.arrayBuffer())).digest('hex')).toBe(expectedSha256(chapter.size, fileSeed(chapter)));
  const after = JSON.parse((await quire.cli(['show', id, '--json'])).stdout) as { log: { at: number; operation: string; success: boolean }[] };
  const partsSentAfter = after.log.filter((entry) => entry.at >= restartedAt && entry.operation === 'upload_part' && entry.success).length;
  expect(partsSentAfter).toBeGreaterThan(0);
  expect(partsSentAfter).toBeLessThanOrEqual(before.partCount - before.partsDone);
});
