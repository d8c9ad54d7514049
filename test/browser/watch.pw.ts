import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Locator, Page } from '@playwright/test';
import { expect, test, type QuireFixture } from './fixtures';

/**
 * The Watch view against a real `quire serve`, real folders and radosgw: a folder added from the
 * page is synced (its temporary file left alone), a new file follows by itself once it is still,
 * a paused folder sends nothing until resumed, and no longer watching it deletes nothing, in the
 * folder or in the bucket. A folder whose author asked for deletes too: a file deleted from it is
 * deleted from the bucket, many vanishing at once are held until confirmed in a dialog.
 * Screenshots in both themes with a folder listed, of the deletes part of the form, and with
 * deletions held.
 */

const screenshots = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));

interface ListedUpload {
  sourcePath: string;
  objectKey: string;
  status: string;
  sha256: string | null;
}

async function screenshotBothThemes(page: Page, name: string): Promise<void> {
  await page.emulateMedia({ colorScheme: 'light' });
  await page.screenshot({ path: join(screenshots, `${name}-light.png`) });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: join(screenshots, `${name}-dark.png`) });
  await page.emulateMedia({ colorScheme: 'light' });
}

/** A file of random bytes; its SHA-256, to compare with what the ledger says was verified. */
function writeFile(dir: string, name: string, size: number): string {
  const bytes = randomBytes(size);
  writeFileSync(join(dir, name), bytes);
  return createHash('sha256').update(bytes).digest('hex');
}

async function uploads(quire: QuireFixture): Promise<ListedUpload[]> {
  const listed = await quire.cli(['queue', '--json']);
  expect(listed.code, listed.stderr).toBe(0);
  return JSON.parse(listed.stdout) as ListedUpload[];
}

const namesOf = (list: ListedUpload[]) => list.map((upload) => basename(upload.sourcePath)).sort();

/** Errors the page logs, uncaught exceptions and CSP violations (reported from before its first script). */
async function watchForProblems(page: Page): Promise<string[]> {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  await page.addInitScript({ content: `document.addEventListener('securitypolicyviolation', (e) => console.error('CSP violation: ' + e.violatedDirective));` });
  return problems;
}

async function openWatch(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.getByRole('tab', { name: /^Watch/ }).click();
  await expect(page.getByRole('heading', { name: 'Watch folders', level: 2 })).toBeVisible();
}

/** At 200% zoom (a 1280 px window shows 640 CSS px) nothing may need a sideways scroll. */
async function expectFitsAt200Percent(page: Page, what: Locator): Promise<void> {
  await page.setViewportSize({ width: 640, height: 400 });
  await what.scrollIntoViewIfNeeded();
  const panel = page.getByRole('tabpanel');
  const sideways = () => panel.evaluate((element) => element.parentElement!.scrollWidth - element.parentElement!.clientWidth);
  await expect.poll(sideways).toBeLessThanOrEqual(0);
  const box = (await what.boundingBox())!;
  expect(box.x + box.width).toBeLessThanOrEqual(640);
  await page.setViewportSize({ width: 1280, height: 800 });
}

const count = (card: Locator, what: 'synced' | 'pending' | 'ignored' | 'missing') => card.getByTestId(`watch-count-${what}`).locator('dd');

/** Every state the folder's card shows, in order, recorded in the page so a short "syncing" is not missed. */
async function recordStates(page: Page): Promise<() => Promise<string[]>> {
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { watchStates: string[] }).watchStates = seen;
    const note = () => {
      const state = document.querySelector('[data-testid="watch-folder"]')?.getAttribute('data-state');
      if (state && seen[seen.length - 1] !== state) seen.push(state);
    };
    new MutationObserver(note).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-state'] });
  });
  return () => page.evaluate(() => [...(window as unknown as { watchStates: string[] }).watchStates]);
}

test('a folder watched from the page syncs its files but not draft.tmp, follows a new file, sends nothing while paused, and no longer watching it deletes nothing', async ({ page, quire }, testInfo) => {
  const problems = await watchForProblems(page);
  const { bucket } = await quire.addConnection();
  const dir = testInfo.outputPath('Exports');
  mkdirSync(dir, { recursive: true });
  const sha = new Map<string, string>();
  sha.set('chapter-01.pdf', writeFile(dir, 'chapter-01.pdf', 300_000));
  sha.set('cover.jpg', writeFile(dir, 'cover.jpg', 120_000));
  writeFile(dir, 'draft.tmp', 50_000);

  await openWatch(page, quire.url);
  // The empty state says what a watch folder is and offers the first one.
  await expect(page.getByRole('heading', { name: 'No watch folder yet' })).toBeVisible();
  await expect(page.getByText(/A watch folder is a folder on the computer running Quire/)).toBeVisible();
  await page.getByRole('button', { name: 'Watch your first folder' }).click();

  const form = page.getByRole('form', { name: 'Watch a folder' });
  await form.getByRole('textbox', { name: 'Folder to watch' }).fill(dir);
  await expect(form.getByRole('combobox', { name: 'Connection' })).toHaveValue('radosgw');
  await form.getByRole('textbox', { name: 'Folder in the bucket (optional)' }).fill('watched/exports/');
  const states = await recordStates(page);
  await form.getByRole('button', { name: 'Watch this folder' }).click();

  await expect(form).toBeHidden();
  await expect(page.getByRole('status').filter({ hasText: `Watching ${dir}` }).first()).toBeVisible();
  const card = page.getByTestId('watch-folder').filter({ has: page.getByRole('heading', { name: dir }) });
  await expect(card).toContainText('radosgw');
  await expect(card).toContainText('watched/exports/');
  await expect(count(card, 'synced')).toHaveText('2', { timeout: 30_000 });
  await expect(card).toHaveAttribute('data-state', 'idle');
  await expect(card.getByTestId('watch-state')).toHaveText('Up to date');
  await expect(count(card, 'pending')).toHaveText('0');
  await expect(count(card, 'ignored')).toHaveText('1');
  await expect(card.getByTestId('watch-last-sync')).not.toHaveText('not yet');
  await expect(card.getByTestId('watch-last-scan')).not.toHaveText('not yet');
  const seen = await states();
  expect(seen).toContain('syncing');
  expect(seen.at(-1)).toBe('idle');
  expect(seen.indexOf('syncing')).toBeLessThan(seen.lastIndexOf('idle'));

  // In the Queue, verified; in the ledger, with the bytes' own SHA-256 under the folder's prefix.
  let listed = await uploads(quire);
  expect(namesOf(listed)).toEqual(['chapter-01.pdf', 'cover.jpg']);
  for (const upload of listed) {
    expect(upload.status).toBe('verified');
    expect(upload.objectKey).toMatch(/^watched\/exports\//);
    expect(upload.sha256).toBe(sha.get(basename(upload.sourcePath)));
  }
  await page.getByRole('tab', { name: /^Queue/ }).click();
  const verifiedRows = page.getByTestId('queue-row').and(page.locator('[data-status="verified"]'));
  await expect(verifiedRows).toHaveCount(2);
  await expect(page.getByTestId('queue-row').filter({ hasText: 'draft.tmp' })).toHaveCount(0);
  await page.getByRole('tab', { name: /^Watch/ }).click();

  // A new file is noticed and sent once it has been still for the quiet period (about 2 s).
  const written = Date.now();
  sha.set('chapter-02.pdf', writeFile(dir, 'chapter-02.pdf', 200_000));
  await expect(count(card, 'synced')).toHaveText('3', { timeout: 20_000 });
  const followedInMs = Date.now() - written;
  testInfo.annotations.push({ type: 'new file synced after', description: `${followedInMs} ms` });
  expect(followedInMs).toBeLessThan(15_000);
  await expect(card).toHaveAttribute('data-state', 'idle');

  // Paused: a file written now waits, well past the quiet period.
  await card.getByRole('button', { name: `Pause ${dir}` }).click();
  await expect(card).toHaveAttribute('data-state', 'paused');
  await expect(card.getByTestId('watch-state')).toHaveText('Paused');
  await expect(card.getByRole('button', { name: `Scan ${dir} now` })).toBeDisabled();
  sha.set('chapter-03.pdf', writeFile(dir, 'chapter-03.pdf', 100_000));
  await page.waitForTimeout(6_000);
  await expect(count(card, 'synced')).toHaveText('3');
  expect(namesOf(await uploads(quire))).toEqual(['chapter-01.pdf', 'chapter-02.pdf', 'cover.jpg']);

  // Resumed: the file written meanwhile is found and sent.
  await card.getByRole('button', { name: `Resume ${dir}` }).click();
  await expect(card).not.toHaveAttribute('data-state', 'paused');
  await expect(count(card, 'synced')).toHaveText('4', { timeout: 20_000 });
  await expect(card).toHaveAttribute('data-state', 'idle');

  // Scan now: the folder is looked at again, and nothing unchanged is sent twice.
  const lastScan = await card.getByTestId('watch-last-scan').textContent();
  await page.waitForTimeout(1_100); // the time is shown to the second
  await card.getByRole('button', { name: `Scan ${dir} now` }).click();
  await expect(card.getByTestId('watch-last-scan')).not.toHaveText(lastScan ?? '');
  await expect(card).toHaveAttribute('data-state', 'idle');
  await expect(count(card, 'synced')).toHaveText('4');

  listed = await uploads(quire);
  expect(namesOf(listed)).toEqual(['chapter-01.pdf', 'chapter-02.pdf', 'chapter-03.pdf', 'cover.jpg']);
  for (const upload of listed) {
    expect(upload.status).toBe('verified');
    expect(upload.sha256).toBe(sha.get(basename(upload.sourcePath)));
  }
  await screenshotBothThemes(page, 'watch');
  await expectFitsAt200Percent(page, card);

  // No longer watching it: the dialog says nothing is deleted, and nothing is.
  await card.getByRole('button', { name: `Stop watching ${dir}` }).click();
  const dialog = page.getByRole('alertdialog');
  await expect(dialog).toContainText('Stop watching this folder?');
  await expect(dialog).toContainText('Nothing is deleted');
  await expect(dialog).toContainText(bucket);
  await expect(dialog.getByRole('button', { name: 'Keep watching' })).toBeFocused();
  await dialog.getByRole('button', { name: 'Stop watching' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId('watch-folder')).toHaveCount(0);
  await expect(page.getByRole('status').filter({ hasText: `No longer watching ${dir}. Nothing was deleted.` }).first()).toBeVisible();
  await expect(page.getByRole('heading', { name: 'No watch folder yet' })).toBeVisible();

  const watched = await quire.cli(['watch', 'list', '--json']);
  expect(watched.code, watched.stderr).toBe(0);
  expect(JSON.parse(watched.stdout)).toEqual([]);
  for (const name of [...sha.keys(), 'draft.tmp']) expect(existsSync(join(dir, name)), `${name} is still in the folder`).toBe(true);
  for (const [name, digest] of sha) expect(createHash('sha256').update(readFileSync(join(dir, name))).digest('hex')).toBe(digest);
  for (const upload of listed) {
    const verified = await quire.cli(['verify', upload.objectKey]);
    expect(verified.code, `${upload.objectKey}: ${verified.stdout}${verified.stderr}`).toBe(0);
  }
  // Removing it from the list is for good: a reload does not bring it back.
  await page.reload();
  await page.getByRole('tab', { name: /^Watch/ }).click();
  await expect(page.getByRole('heading', { name: 'No watch folder yet' })).toBeVisible();
  expect(problems).toEqual([]);
});

test('without a connection the Watch view says what a watch folder is and sends the author to Connections first, by keyboard too', async ({ page, quire }) => {
  const problems = await watchForProblems(page);
  await page.goto(quire.url);
  // The tab sits between Queue and History for the arrow keys.
  await page.getByRole('tab', { name: /^Queue/ }).click();
  await page.keyboard.press('ArrowRight');
  await expect(page.getByRole('tab', { name: /^Watch/ })).toHaveAttribute('aria-selected', 'true');
  await expect(page).toHaveURL(/#\/watch$/);
  await page.keyboard.press('ArrowRight');
  await expect(page.getByRole('tab', { name: /^History/ })).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('ArrowLeft');
  await expect(page.getByRole('heading', { name: 'No watch folder yet' })).toBeVisible();
  await expect(page.getByText(/First add a connection/)).toBeVisible();
  await expect(page.getByRole('button', { name: 'Watch a folder' })).toHaveCount(0);
  await page.getByRole('button', { name: 'Add a connection first' }).press('Enter');
  await expect(page.getByRole('tab', { name: /^Connections/ })).toHaveAttribute('aria-selected', 'true');
  expect(problems).toEqual([]);
});

test('the form checks with the contract at each field, a folder is chosen by browsing the Quire machine, and the engine’s refusal is said at the folder', async ({ page, quire }, testInfo) => {
  const problems = await watchForProblems(page);
  await quire.addConnection();
  const dir = testInfo.outputPath('Covers');
  mkdirSync(join(dir, 'drafts'), { recursive: true });
  await openWatch(page, quire.url);
  await page.getByRole('button', { name: 'Watch your first folder' }).click();
  const form = page.getByRole('form', { name: 'Watch a folder' });
  const path = form.getByRole('textbox', { name: 'Folder to watch' });
  const exclude = form.getByRole('textbox', { name: 'Never these files (optional)' });

  // Nothing typed: the schema's own words at the folder, which takes the focus.
  await form.getByRole('button', { name: 'Watch this folder' }).click();
  await expect(path).toHaveAttribute('aria-invalid', 'true');
  await expect(path).toBeFocused();
  await expect(form).toContainText('name the folder to watch');

  // A pattern longer than the contract takes is named at its field.
  await path.fill(dir);
  await expect(path).not.toHaveAttribute('aria-invalid', 'true');
  await exclude.fill(`*.bak, ${'x'.repeat(201)}`);
  await form.getByRole('button', { name: 'Watch this folder' }).click();
  await expect(exclude).toHaveAttribute('aria-invalid', 'true');
  await expect(exclude).toBeFocused();
  await expect(form).toContainText(`“${'x'.repeat(201)}”`);
  // A brace list is one pattern, though it has commas.
  await exclude.fill('*.bak, drafts/*.{psd,xcf}');
  await expect(exclude).not.toHaveAttribute('aria-invalid', 'true');

  // Browsing the Quire machine: open the folder by its path, go down and up, choose it.
  await path.fill('');
  await form.getByRole('button', { name: 'Browse…' }).click();
  const browser = page.getByRole('dialog', { name: 'Choose a folder on the Quire machine' });
  await browser.getByRole('textbox', { name: 'Folder' }).fill(dir);
  await browser.getByRole('button', { name: 'Open', exact: true }).click();
  await expect(browser.getByRole('grid')).toHaveAccessibleName(`Contents of ${dir}`);
  await browser.getByRole('row', { name: /drafts/ }).click();
  await expect(browser.getByRole('grid')).toHaveAccessibleName(`Contents of ${join(dir, 'drafts')}`);
  await browser.getByRole('button', { name: '↑ Up to the parent folder' }).click();
  await expect(browser.getByRole('grid')).toHaveAccessibleName(`Contents of ${dir}`);
  await expect(browser.getByRole('checkbox')).toHaveCount(0);
  await browser.getByRole('button', { name: 'Choose this folder' }).click();
  await expect(browser).toBeHidden();
  await expect(path).toHaveValue(dir);

  await expectFitsAt200Percent(page, form);

  // A folder that is not there passes the page's check; the engine's refusal is shown at the folder.
  const missing = join(dir, 'not-there');
  await path.fill(missing);
  await form.getByRole('button', { name: 'Watch this folder' }).click();
  await expect(path).toHaveAttribute('aria-invalid', 'true');
  await expect(form.getByRole('alert').first()).toContainText(/not-there/);
  await expect(page.getByTestId('watch-folder')).toHaveCount(0);

  // The right one is added with the patterns as the author wrote them.
  await path.fill(dir);
  await form.getByRole('checkbox', { name: /polling/ }).check();
  await form.getByRole('button', { name: 'Watch this folder' }).click();
  const card = page.getByTestId('watch-folder');
  await expect(card).toHaveCount(1);
  await expect(card).toContainText('*.bak, drafts/*.{psd,xcf}');
  await expect(card).toContainText('by polling');
  await expect(card).toContainText('by type');
  const watched = await quire.cli(['watch', 'list', '--json']);
  expect(watched.code, watched.stderr).toBe(0);
  expect(JSON.parse(watched.stdout)).toMatchObject([{ path: dir, exclude: ['*.bak', 'drafts/*.{psd,xcf}'], poll: true, to: null }]);
  await expect(card).toHaveAttribute('data-state', 'idle', { timeout: 15_000 });

  // A folder inside a watched one would send its files twice: the engine says so, at the folder.
  await page.getByRole('button', { name: 'Watch a folder' }).click();
  await path.fill(join(dir, 'drafts'));
  await form.getByRole('button', { name: 'Watch this folder' }).click();
  await expect(path).toHaveAttribute('aria-invalid', 'true');
  await expect(form).toContainText('which is already watched');
  await form.getByRole('button', { name: 'Cancel' }).click();
  await expect(form).toBeHidden();

  // The folder goes away (a disk unmounted): "unavailable" with the engine's words, at the folder; back again, synced.
  const away = `${dir}-away`;
  renameSync(dir, away);
  await card.getByRole('button', { name: `Scan ${dir} now` }).click();
  await expect(card).toHaveAttribute('data-state', 'unavailable', { timeout: 15_000 });
  await expect(card.getByTestId('watch-state')).toHaveText('Unavailable');
  await expect(card.getByTestId('watch-message')).toContainText(dir);
  await expect(card.getByRole('alert')).toBeVisible();
  renameSync(away, dir);
  await card.getByRole('button', { name: `Scan ${dir} now` }).click();
  await expect(card).toHaveAttribute('data-state', 'idle', { timeout: 15_000 });
  await expect(card.getByTestId('watch-message')).toHaveCount(0);
  expect(problems).toEqual([]);
});

/** `quire verify KEY`: 0 when the object is there as Quire wrote it; the engine's words when it is not. */
async function objectState(quire: QuireFixture, key: string): Promise<'there' | 'gone' | string> {
  const verified = await quire.cli(['verify', key]);
  if (verified.code === 0) return 'there';
  return /is not in bucket/.test(verified.stderr) ? 'gone' : `${verified.code}: ${verified.stdout}${verified.stderr}`;
}

test('a folder that deletes remotely when asked: one file deleted goes from the bucket, four of seven at once are held until confirmed in the dialog', async ({ page, quire }, testInfo) => {
  const problems = await watchForProblems(page);
  const { bucket } = await quire.addConnection();
  const dir = testInfo.outputPath('Chapters');
  mkdirSync(dir, { recursive: true });
  const names = Array.from({ length: 8 }, (_, i) => `chapter-${String(i + 1).padStart(2, '0')}.pdf`);
  for (const name of names) writeFile(dir, name, 20_000);

  await openWatch(page, quire.url);
  await page.getByRole('button', { name: 'Watch your first folder' }).click();
  const form = page.getByRole('form', { name: 'Watch a folder' });
  await form.getByRole('textbox', { name: 'Folder to watch' }).fill(dir);
  await form.getByRole('textbox', { name: 'Folder in the bucket (optional)' }).fill('watched/chapters/');

  // Off unless chosen, and said in full before it is; the guard appears only once it is ticked.
  const deletes = form.getByRole('checkbox', { name: 'Also delete from the bucket what I delete from this folder' });
  await expect(deletes).not.toBeChecked();
  await expect(deletes).toHaveAccessibleDescription(/Off unless you tick it\. Off, nothing is ever deleted in the bucket/);
  await expect(deletes).toHaveAccessibleDescription(/only if the object is still what Quire wrote/);
  await expect(deletes).toHaveAccessibleDescription(/renamed?.*old object is deleted/);
  await expect(deletes).toHaveAccessibleDescription(/too many files vanish at once.*nothing is deleted until you confirm/);
  const guard = form.getByRole('textbox', { name: 'Hold deletions when more than this % of the files vanish at once' });
  await expect(guard).toHaveCount(0);
  await deletes.check();
  await expect(guard).toHaveValue('25');
  await expect(guard).toHaveAccessibleDescription(/At 25%, in a folder of 20 files, deleting up to 5 at once deletes their objects too; deleting 6 or more at once deletes nothing until you confirm/);

  // The schema's range, and what to type for text, at the guard's field.
  await guard.fill('0');
  await form.getByRole('button', { name: 'Watch this folder' }).click();
  await expect(guard).toHaveAttribute('aria-invalid', 'true');
  await expect(guard).toBeFocused();
  await expect(form).toContainText('the guard is at least 1%');
  await guard.fill('a quarter');
  await expect(guard).not.toHaveAttribute('aria-invalid', 'true');
  await form.getByRole('button', { name: 'Watch this folder' }).click();
  await expect(guard).toHaveAttribute('aria-invalid', 'true');
  await expect(form).toContainText('give the guard as a whole number of percent from 1 to 100, such as 25');
  await expect(page.getByTestId('watch-folder')).toHaveCount(0);
  await guard.fill('25%');
  await expect(guard).not.toHaveAttribute('aria-invalid', 'true');
  await guard.scrollIntoViewIfNeeded();
  await screenshotBothThemes(page, 'watch-form');
  await form.getByRole('button', { name: 'Watch this folder' }).click();

  const card = page.getByTestId('watch-folder');
  await expect(count(card, 'synced')).toHaveText('8', { timeout: 30_000 });
  await expect(card).toHaveAttribute('data-state', 'idle');
  await expect(card.getByTestId('watch-deletes')).toHaveText('deleted from the bucket too; held for you to confirm when more than 25% vanish at once');
  const watched = await quire.cli(['watch', 'list', '--json']);
  expect(watched.code, watched.stderr).toBe(0);
  expect(JSON.parse(watched.stdout)).toMatchObject([{ path: dir, syncDeletes: true, deleteGuardPercent: 25, deletesHeld: 0 }]);
  const keyOf = new Map((await uploads(quire)).map((upload) => [basename(upload.sourcePath), upload.objectKey]));
  expect([...keyOf.keys()].sort()).toEqual(names);
  for (const name of names) expect(await objectState(quire, keyOf.get(name)!)).toBe('there');

  // One file deleted: its object goes too, and the card counts 7.
  rmSync(join(dir, names[0]!));
  await expect.poll(() => objectState(quire, keyOf.get(names[0]!)!), { timeout: 20_000 }).toBe('gone');
  await expect(count(card, 'synced')).toHaveText('7');
  await expect(count(card, 'missing')).toHaveText('0');
  await expect(card).toHaveAttribute('data-state', 'idle');
  await expect(card.getByTestId('watch-held')).toHaveCount(0);

  // Four of the seven at once (a folder emptied by mistake?): held, nothing deleted, two ways out.
  const vanishing = names.slice(1, 5);
  for (const name of vanishing) rmSync(join(dir, name));
  const held = card.getByTestId('watch-held');
  await expect(held).toBeVisible({ timeout: 20_000 });
  await expect(held).toHaveAttribute('role', 'alert');
  await expect(held.getByRole('heading', { name: '⚠ 4 deletions held: nothing was deleted in the bucket' })).toBeVisible();
  await expect(held).toContainText(`4 files vanished from this folder at once, more than the 25% it allows, so their objects are still in the bucket ${bucket}`);
  await expect(held).toContainText('put the files back');
  await expect(card.getByTestId('watch-state')).toHaveText('Deletions held');
  await expect(count(card, 'missing')).toHaveText('4');
  await expect(count(card, 'synced')).toHaveText('3');
  // The engine's own sentence (which points to the command line) is not said a second time.
  await expect(card.getByTestId('watch-message')).toHaveCount(0);
  for (const name of vanishing) expect(await objectState(quire, keyOf.get(name)!)).toBe('there');
  await screenshotBothThemes(page, 'watch-held');
  await expectFitsAt200Percent(page, held);

  // Keep them: the dialog names the bucket, says it cannot be undone, and the safe answer has the focus.
  const deleteButton = held.getByRole('button', { name: /^Delete 4 objects from the bucket/ });
  await deleteButton.click();
  const dialog = page.getByRole('alertdialog', { name: 'Delete 4 objects from the bucket?' });
  await expect(dialog).toContainText(bucket);
  await expect(dialog).toContainText(dir);
  await expect(dialog).toContainText('This cannot be undone.');
  await expect(dialog.getByRole('button', { name: 'Keep them' })).toBeFocused();
  await dialog.getByRole('button', { name: 'Keep them' }).click();
  await expect(dialog).toBeHidden();
  await expect(held).toBeVisible();
  for (const name of vanishing) expect(await objectState(quire, keyOf.get(name)!)).toBe('there');

  // Confirmed: the four objects are gone, the warning with them; the other three stay.
  await deleteButton.click();
  await dialog.getByRole('button', { name: 'Delete 4 objects' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('status').filter({ hasText: `Deleted 4 objects of ${dir} from the bucket ${bucket}.` }).first()).toBeVisible();
  await expect(held).toHaveCount(0);
  await expect(card.getByTestId('watch-state')).toHaveText('Up to date');
  await expect(card).toHaveAttribute('data-state', 'idle');
  await expect(count(card, 'missing')).toHaveText('0');
  await expect(count(card, 'synced')).toHaveText('3');
  for (const name of vanishing) expect(await objectState(quire, keyOf.get(name)!)).toBe('gone');
  for (const name of names.slice(5)) expect(await objectState(quire, keyOf.get(name)!)).toBe('there');
  const after = await quire.cli(['watch', 'list', '--json']);
  expect(JSON.parse(after.stdout)).toMatchObject([{ deletesHeld: 0, message: null }]);
  expect(problems).toEqual([]);
});
