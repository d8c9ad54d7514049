import type { Page } from '@playwright/test';
import { dropFiles, expect, expectedSha256, fileSeed, test, type DroppedFile } from './fixtures';

/**
 * The ground the UI specs stand on: the production build served by `quire serve` loads cleanly
 * in Chromium, and a synthetic drop reaches a page as a real one does. (The views are being
 * written; what is asserted here is what stays true whatever they show.)
 */

/** Errors the page logs, uncaught exceptions and CSP violations, from before its first script runs. */
async function watchForProblems(page: Page): Promise<string[]> {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  // Runs in the page before its scripts (and outside its CSP, as a DevTools script).
  await page.addInitScript({
    content: `document.addEventListener('securitypolicyviolation', (e) => console.error('CSP violation: ' + e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + ' in ' + e.sourceFile + ':' + e.lineNumber));`,
  });
  return problems;
}

test('the app loads from quire serve: the token leaves the address bar, the cookie is out of scripts\' reach, the WebSocket connects, no errors and no CSP violations', async ({ page, quire, context }) => {
  const problems = await watchForProblems(page);
  const socketUrl = `${quire.origin.replace(/^http/, 'ws')}/ws`;
  const sockets: { url: string; framesReceived: number; closed: boolean; error: string | null }[] = [];
  page.on('websocket', (ws) => {
    const seen = { url: ws.url(), framesReceived: 0, closed: false, error: null as string | null };
    sockets.push(seen);
    ws.on('framereceived', () => (seen.framesReceived += 1));
    ws.on('socketerror', (error) => (seen.error = error));
    ws.on('close', () => (seen.closed = true));
  });

  await page.goto(quire.url);
  await expect(page).toHaveURL(`${quire.origin}/`);
  await expect(page).toHaveTitle('Quire');
  await page.waitForLoadState('networkidle');

  const cookies = await context.cookies(quire.origin);
  expect(cookies.map(({ name, httpOnly, sameSite, secure }) => ({ name, httpOnly, sameSite, secure }))).toEqual([{ name: `quire-session-${quire.port}`, httpOnly: true, sameSite: 'Strict', secure: false }]);
  expect(await page.evaluate('document.cookie')).toBe('');

  await expect.poll(() => sockets.filter((socket) => socket.url === socketUrl && socket.framesReceived > 0).length, { message: 'the page opens its WebSocket and the engine answers on it' }).toBeGreaterThan(0);
  expect(sockets.filter((socket) => socket.closed || socket.error)).toEqual([]);

  // Every view renders under the strict CSP, with and without a connection to show.
  for (const withConnection of [false, true]) {
    if (withConnection) {
      await quire.addConnection();
      await page.reload();
    }
    for (const view of ['Upload', 'Queue', 'Watch', 'History', 'Storage', 'Analytics', 'Connections', 'Settings']) {
      await page.getByRole('tab', { name: new RegExp(`^${view}`) }).click();
      const panel = page.getByRole('tabpanel', { name: new RegExp(`^${view}`) });
      await expect(panel).toBeVisible();
      await expect(panel.getByRole('heading').first()).toBeVisible();
    }
  }
  expect(problems).toEqual([]);
});

test('after a restart (a crash, then quire serve again on the same data folder) the old address is refused and the new one lets the page in, with its connections', async ({ page, quire }) => {
  const added = await quire.addConnection({ publicRead: true });
  expect(added.cdnBaseUrl).toBe(`${process.env.QUIRE_S3_ENDPOINT!.replace(/\/+$/, '')}/${added.bucket}`);
  const listed = await quire.cli(['connect', 'list', '--json']);
  expect(listed.code).toBe(0);
  expect(JSON.parse(listed.stdout)).toMatchObject([{ name: 'radosgw', bucket: added.bucket, defaultVisibility: 'public-read', cdnBaseUrl: added.cdnBaseUrl }]);

  await page.goto(quire.url);
  await expect(page).toHaveTitle('Quire');
  const before = { url: quire.url, port: quire.port };
  await quire.kill();
  await quire.restart();
  expect(quire.port).toBe(before.port);
  expect(quire.url).not.toBe(before.url);
  // The page's cookie belonged to the run that died; its token too.
  expect((await page.request.get(`${quire.origin}/`)).status()).toBe(401);
  expect((await page.request.get(before.url, { maxRedirects: 0 })).status()).toBe(403);
  await page.goto(quire.url);
  await expect(page).toHaveURL(`${quire.origin}/`);
  await expect(page).toHaveTitle('Quire');
});

test('a synthetic drop reaches the page as a real one: entries for files and folders, exact bytes, the drag events in order', async ({ page }) => {
  // A page at a loopback origin (a secure context, so crypto.subtle hashes in the page), answered
  // by Playwright itself: nothing listens on that port.
  const pageUrl = 'http://127.0.0.1:9/drop-zone';
  await page.route(pageUrl, (route) => route.fulfill({ contentType: 'text/html', body: '<!doctype html><div id="zone" style="width:400px;height:300px">drop here</div>' }));
  await page.goto(pageUrl);
  await page.evaluate(listenForDrop);
  const files: DroppedFile[] = [
    { name: 'cover.jpg', mimeType: 'image/jpeg', size: 300_001 },
    { name: 'ch1.txt', relativePath: 'Book/ch1.txt', mimeType: 'text/plain', size: 5000 },
    { name: 'ch2.txt', relativePath: 'Book/Part 2/ch2.txt', size: 0 },
    { name: 'ch3.txt', relativePath: 'Book/Part 2/ch3.txt', size: 7, seed: 0 },
    { name: 'narration.wav', mimeType: 'audio/wav', size: 48 * 1024 * 1024 + 3 },
  ];
  const made = await dropFiles(page, '#zone', files);
  expect(made).toEqual({ files: 5, bytes: files.reduce((sum, file) => sum + file.size, 0) });

  const dropped = await page.waitForFunction('window.dropped').then((handle) => handle.jsonValue() as Promise<Dropped>);
  expect(dropped).not.toHaveProperty('error');
  expect(dropped.events).toEqual(['dragenter', 'dragover', 'drop']);
  // One item per top-level entry, the folder as an empty file of its name, as Chrome gives them.
  expect(dropped.items).toEqual([
    { name: 'cover.jpg', size: 300_001, isFile: true },
    { name: 'Book', size: 0, isFile: false },
    { name: 'narration.wav', size: 48 * 1024 * 1024 + 3, isFile: true },
  ]);
  expect(dropped.files.sort((a, b) => a.path.localeCompare(b.path))).toEqual(
    files
      .map((file) => ({ path: `/${file.relativePath ?? file.name}`, type: file.mimeType ?? '', size: file.size, sha256: expectedSha256(file.size, fileSeed(file)), relativePath: '' }))
      .sort((a, b) => a.path.localeCompare(b.path)),
  );
  // Seeds differ by path, so no two files of a drop are alike.
  expect(new Set(dropped.files.map((file) => file.sha256)).size).toBe(files.length);
});

interface Dropped {
  events: string[];
  items: { name: string; size: number; isFile: boolean }[];
  files: { path: string; type: string; size: number; sha256: string; relativePath: string }[];
}

/**
 * In the page: what a drop zone that walks entries (as react-aria's DropZone does) reads from a
 * drop, into `window.dropped`. Typed with the few browser names it uses (see syntheticDrop.ts).
 */
function listenForDrop(): void {
  interface Entry {
    isFile: boolean;
    fullPath: string;
    file(success: (file: File) => void): void;
    createReader(): { readEntries(success: (entries: Entry[]) => void): void };
  }
  interface DropEvent {
    type: string;
    preventDefault(): void;
    dataTransfer: { items: Iterable<{ getAsFile(): File | null; webkitGetAsEntry(): Entry | null }> };
  }
  const page = globalThis as unknown as {
    document: { querySelector(selector: string): { addEventListener(type: string, listener: (event: DropEvent) => void): void } };
    crypto: { subtle: { digest(algorithm: string, data: ArrayBuffer): Promise<ArrayBuffer> } };
    dropped?: Dropped;
  };
  const events: string[] = [];
  const zone = page.document.querySelector('#zone');
  const sha256 = async (file: File) => [...new Uint8Array(await page.crypto.subtle.digest('SHA-256', await file.arrayBuffer()))].map((byte) => byte.toString(16).padStart(2, '0')).join('');
  const walk = async (entry: Entry, into: Dropped['files']): Promise<void> => {
    if (entry.isFile) {
      const file = await new Promise<File>((resolve) => entry.file(resolve));
      into.push({ path: entry.fullPath, type: file.type, size: file.size, sha256: await sha256(file), relativePath: (file as File & { webkitRelativePath: string }).webkitRelativePath });
      return;
    }
    const reader = entry.createReader();
    for (;;) {
      const batch = await new Promise<Entry[]>((resolve) => reader.readEntries(resolve));
      if (batch.length === 0) return;
      for (const child of batch) await walk(child, into);
    }
  };
  for (const type of ['dragenter', 'dragover']) {
    zone.addEventListener(type, (event) => {
      event.preventDefault();
      events.push(event.type);
    });
  }
  zone.addEventListener('drop', (event) => {
    event.preventDefault();
    events.push(event.type);
    // Read at once, as a real drop's items are emptied when the handler returns.
    const items = [...event.dataTransfer.items].map((item) => ({ file: item.getAsFile()!, entry: item.webkitGetAsEntry()! }));
    void (async () => {
      const files: Dropped['files'] = [];
      for (const { entry } of items) await walk(entry, files);
      page.dropped = { events, items: items.map(({ file, entry }) => ({ name: file.name, size: file.size, isFile: entry.isFile })), files };
    })().catch((error: Error) => (page.dropped = { error: String(error) } as never));
  });
}
