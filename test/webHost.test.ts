import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request, type IncomingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { STAGING_SIZE_HEADER, MAX_MESSAGE_BYTES } from '../src/shared/wire';
import { CONTENT_SECURITY_POLICY } from '../src/main/contentSecurityPolicy';
import type { Engine } from '../src/main/core/engine';
import { startWebHost, type WebHost } from '../src/main/web/webHost';
import { QueueLock } from '../src/main/core/queueLock';
import { openTestWorld, type TestWorld } from './support/engine';
import { startQuire } from './support/quireCli';
import { tempDir } from './support/tempDir';
import { waitFor } from './support/waitFor';

/**
 * `quire serve`'s web host over real HTTP on 127.0.0.1 with a real engine: every way in that a
 * page of another site, a rebinding attack or a confused script could try is refused, and none
 * of them reaches the engine; the page the author opened gets the UI, its commands, the events
 * and its dropped files.
 */

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** One HTTP request with the path sent exactly as written (fetch would resolve `..` away). */
function send(port: number, options: { method?: string; path: string; headers?: Record<string, string>; body?: Buffer | string }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: options.method ?? 'GET', path: options.path, headers: { Host: `127.0.0.1:${port}`, ...options.headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** A socket the test reads in order: answers by id, events by name. */
interface Page {
  ws: WebSocket;
  messages: Record<string, unknown>[];
  closed: Promise<{ code: number; reason: string }>;
  call(command: string, input: unknown): Promise<{ ok: boolean; value?: unknown; error?: { code: string; message: string } }>;
}

let nextId = 1;

/** Opens /ws; resolves once open, or rejects with the HTTP status of the refused upgrade. */
function openSocket(port: number, headers: Record<string, string>, origin?: string): Promise<Page> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { headers, ...(origin ? { origin } : {}) });
    const messages: Record<string, unknown>[] = [];
    const closed = new Promise<{ code: number; reason: string }>((done) => ws.on('close', (code, reason) => done({ code, reason: reason.toString() })));
    ws.on('message', (data) => messages.push(JSON.parse(data.toString()) as Record<string, unknown>));
    ws.on('unexpected-response', (_req, res) => {
      reject(Object.assign(new Error(`upgrade refused with ${res.statusCode}`), { status: res.statusCode }));
      ws.terminate();
    });
    ws.on('error', (error) => reject(error));
    ws.on('open', () =>
      resolve({
        ws,
        messages,
        closed,
        call: async (command, input) => {
          const id = nextId++;
          ws.send(JSON.stringify({ id, command, input }));
          const answer = await waitFor(`the answer to ${command}`, () => messages.find((message) => message.id === id), 20_000);
          return answer.outcome as never;
        },
      }),
    );
  });
}

async function refusedUpgrade(port: number, headers: Record<string, string>, origin?: string): Promise<number> {
  try {
    const page = await openSocket(port, headers, origin);
    page.ws.terminate();
    return 101;
  } catch (error) {
    return (error as { status?: number }).status ?? -1;
  }
}

describe('the local web host (quire serve)', () => {
  let world: TestWorld;
  let engine: Engine;
  let host: WebHost;
  let port: number;
  let origin: string;
  let cookie: string;
  let rendererDir: string;
  /** Every engine entry point the contract's commands reach, counted. */
  let reached: ReturnType<typeof vi.spyOn>[];
  const engineCalls = () => reached.reduce((sum, spy) => sum + spy.mock.calls.length, 0);

  beforeAll(async () => {
    const closers: (() => void | Promise<void>)[] = [];
    world = await openTestWorld('webhost', { onDone: (close) => closers.push(close) });
    engine = world.engine;
    rendererDir = tempDir('renderer');
    mkdirSync(join(rendererDir, 'assets'));
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Quire</title><script type="module" src="/assets/app.js"></script>');
    writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log("quire");');
    host = await startWebHost({ engine, rendererDir, port: 0 });
    port = host.port;
    origin = host.origin;
    const exchange = await send(port, { path: new URL(host.url).pathname + new URL(host.url).search });
    cookie = String(exchange.headers['set-cookie']![0]).split(';')[0]!;
    afterAll(async () => {
      await host.close();
      for (const close of closers) await close();
    });
  });

  beforeEach(() => {
    vi.restoreAllMocks();
    reached = (['enqueue', 'preview', 'listUploads', 'pause', 'resume', 'cancel', 'updateSettings', 'getSettings', 'addConnection', 'run', 'verify', 'link', 'details', 'queueState'] as const).map((method) =>
      vi.spyOn(engine, method),
    );
  });

  describe('who is let in', () => {
    it('exchanges the printed token for an HttpOnly, SameSite=Strict cookie and sends the browser on to the address without the token', async () => {
      expect(host.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${port}/\\?token=[A-Za-z0-9_-]{43}$`));
      const token = new URL(host.url).searchParams.get('token')!;
      const answer = await send(port, { path: `/index.html?lang=en&token=${token}` });
      expect(answer.status).toBe(303);
      expect(answer.headers.location).toBe('/index.html?lang=en');
      const setCookie = String(answer.headers['set-cookie']);
      expect(setCookie).toMatch(new RegExp(`^quire-session-${port}=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Strict; Path=/$`));
      // The cookie is its own secret, not the token again.
      expect(setCookie).not.toContain(token);

      const page = await send(port, { path: '/', headers: { Cookie: cookie } });
      expect(page.status).toBe(200);
      expect(page.body).toContain('<title>Quire</title>');
      expect(page.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
      expect(page.headers['x-content-type-options']).toBe('nosniff');
      expect(page.headers['referrer-policy']).toBe('no-referrer');
      expect(page.headers['x-frame-options']).toBe('DENY');
      expect(page.headers['cache-control']).toBe('no-store');
      expect(Object.keys(page.headers).filter((name) => name.startsWith('access-control-'))).toEqual([]);
      const asset = await send(port, { path: '/assets/app.js', headers: { Cookie: cookie } });
      expect(asset.status).toBe(200);
      expect(asset.headers['content-type']).toMatch(/javascript/);
    });

    it('serves only the built UI: nothing outside its folder, no dot files', async () => {
      writeFileSync(join(rendererDir, '.env'), 'SECRET=1');
      for (const path of ['/../../../../etc/passwd', '/%2e%2e/%2e%2e/%2e%2e/etc/passwd', '/assets/..%2f..%2f..%2fetc%2fpasswd', '/.env', '/assets/%2eenv']) {
        const answer = await send(port, { path, headers: { Cookie: cookie } });
        expect(answer.status, path).toBe(404);
        expect(answer.body).not.toMatch(/root:|SECRET/);
      }
    });

    it('never redirects off this host, whatever path the token came with', async () => {
      const token = new URL(host.url).searchParams.get('token')!;
      for (const path of [`//evil.example/?token=${token}`, `/\\evil.example?token=${token}`]) {
        const answer = await send(port, { path });
        expect(answer.status).toBe(303);
        expect(answer.headers.location).toMatch(/^\/[^/\\]/);
      }
    });

    it('answers 401, saying to open the printed address, to a browser without the cookie, on the page and on every file', async () => {
      for (const path of ['/', '/index.html', '/assets/app.js', '/anything']) {
        const answer = await send(port, { path });
        expect(answer.status).toBe(401);
        expect(answer.body).toContain('Open the address `quire serve` printed');
        expect(answer.body).not.toContain('<title>Quire</title>');
      }
      // A cookie of another run (or a guess) is no cookie.
      const guessed = await send(port, { path: '/', headers: { Cookie: `quire-session-${port}=${randomBytes(32).toString('base64url')}` } });
      expect(guessed.status).toBe(401);
    });

    it('answers 403 to a wrong token, sets no cookie, and says to open the address quire serve printed', async () => {
      const answer = await send(port, { path: `/?token=${randomBytes(32).toString('base64url')}` });
      expect(answer.status).toBe(403);
      expect(answer.headers['set-cookie']).toBeUndefined();
      expect(answer.body).toContain('Open the address `quire serve` printed');
      expect((await send(port, { path: '/?token=' })).status).toBe(403);
    });

    it('lets a browser in once, within a minute, by the address given to the system opener (--open), whose command line other users can read', async () => {
      const oneUse = new URL(host.oneUseUrl());
      const first = await send(port, { path: oneUse.pathname + oneUse.search });
      expect(first.status).toBe(303);
      expect(String(first.headers['set-cookie']![0])).toMatch(/HttpOnly; SameSite=Strict/);
      expect((await send(port, { path: oneUse.pathname + oneUse.search })).status).toBe(403);
    });

    it('refuses a request naming a foreign Host (DNS rebinding) before anything else, even with the cookie and the token', async () => {
      const token = new URL(host.url).searchParams.get('token')!;
      for (const hostHeader of [`evil.example:${port}`, `127.0.0.1:${port + 1}`, 'localhost', `127.0.0.1.evil.example:${port}`]) {
        const page = await send(port, { path: '/', headers: { Host: hostHeader, Cookie: cookie } });
        expect(page.status).toBe(403);
        expect(page.headers['content-type']).toBe('text/plain; charset=utf-8');
        const exchange = await send(port, { path: `/?token=${token}`, headers: { Host: hostHeader } });
        expect(exchange.status).toBe(403);
        expect(exchange.headers['set-cookie']).toBeUndefined();
      }
      // Our own loopback names are fine.
      for (const hostHeader of [`localhost:${port}`, `LOCALHOST:${port}`, `[::1]:${port}`]) {
        expect((await send(port, { path: '/', headers: { Host: hostHeader, Cookie: cookie } })).status).toBe(200);
      }
    });

    it('refuses a cross-site form POST (405) and every method but GET, HEAD and PUT, and none of it reaches the engine', async () => {
      const form = await send(port, {
        method: 'POST',
        path: '/ws',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: 'http://evil.example' },
        body: 'id=1&command=uploads.enqueue&input=%7B%22paths%22%3A%5B%22%2Fetc%22%5D%7D',
      });
      expect(form.status).toBe(405);
      expect(form.headers.allow).toBe('GET, HEAD, PUT');
      expect(Object.keys(form.headers).filter((name) => name.startsWith('access-control-'))).toEqual([]);
      for (const method of ['POST', 'DELETE', 'PATCH', 'OPTIONS']) {
        expect((await send(port, { method, path: `/staging/${randomUUID()}/a.txt`, headers: { Cookie: cookie, Origin: origin } })).status).toBe(405);
      }
      expect(engineCalls()).toBe(0);
      expect(engine.listUploads().total).toBe(0);
    });
  });

  describe('the WebSocket', () => {
    it('is refused before the upgrade without the cookie, from a foreign Origin, without an Origin, or under a foreign Host', async () => {
      expect(await refusedUpgrade(port, {}, origin)).toBe(403);
      expect(await refusedUpgrade(port, { Cookie: cookie }, 'http://evil.example')).toBe(403);
      expect(await refusedUpgrade(port, { Cookie: cookie }, `http://localhost:${port + 1}`)).toBe(403);
      expect(await refusedUpgrade(port, { Cookie: cookie })).toBe(403);
      expect(await refusedUpgrade(port, { Cookie: cookie, Host: `evil.example:${port}` }, `http://evil.example:${port}`)).toBe(403);
      expect(engineCalls()).toBe(0);
      // And the same socket with everything right is let in.
      const page = await openSocket(port, { Cookie: cookie }, origin);
      page.ws.close();
    });

    it('answers a command and sends the engine events to every open page', async () => {
      const page = await openSocket(port, { Cookie: cookie }, origin);
      const other = await openSocket(port, { Cookie: cookie }, origin);
      const connections = await page.call('connections.list', {});
      expect(connections.ok).toBe(true);
      expect((connections.value as { name: string }[]).map((c) => c.name)).toEqual(['test']);

      const batch = randomUUID();
      const bytes = randomBytes(64 * 1024);
      const staged = await send(port, { method: 'PUT', path: `/staging/${batch}/notes.txt`, headers: { Cookie: cookie, Origin: origin, [STAGING_SIZE_HEADER]: String(bytes.length) }, body: bytes });
      expect(staged.status).toBe(201);
      const queued = await page.call('uploads.enqueue', { staged: batch, paths: ['notes.txt'] });
      expect(queued.ok).toBe(true);
      const id = (queued.value as { queued: { id: string }[] }).queued[0]!.id;
      // The counting the refusals rely on sees a call that got through.
      expect(engineCalls()).toBe(1);
      for (const each of [page, other]) {
        const event = await waitFor('an upload.changed event', () => each.messages.find((m) => m.event === 'upload.changed' && (m.payload as { upload: { id: string } }).upload.id === id), 20_000);
        expect((event.payload as { upload: { sourcePath: string } }).upload.sourcePath).toContain(batch);
      }
      await page.call('uploads.cancel', { ids: [id] });
      page.ws.close();
      other.ws.close();
    });

    it('answers an unknown command and an invalid input with a usage error that never reaches the engine, and stays open', async () => {
      const page = await openSocket(port, { Cookie: cookie }, origin);
      const unknown = await page.call('uploads.deleteEverything', {});
      expect(unknown).toMatchObject({ ok: false, error: { code: 'usage', message: 'Unknown command "uploads.deleteEverything".' } });
      const invalid = await page.call('uploads.enqueue', { paths: 42 });
      expect(invalid).toMatchObject({ ok: false, error: { code: 'usage' } });
      const escaping = await page.call('uploads.enqueue', { staged: 'not-a-batch', paths: ['a.txt'] });
      expect(escaping).toMatchObject({ ok: false, error: { code: 'usage' } });
      expect(engineCalls()).toBe(0);
      expect(page.ws.readyState).toBe(WebSocket.OPEN);
      page.ws.close();
    });

    it('stops a long command of a page that closes its socket (queue.run gets an aborted signal)', async () => {
      let signal: AbortSignal | undefined;
      vi.spyOn(engine, 'run').mockImplementation((given) => {
        signal = given;
        return new Promise((resolve) => given!.addEventListener('abort', () => resolve({ verified: 0, failed: 0, waiting: 0, paused: 0, cancelled: 0 }), { once: true }));
      });
      const page = await openSocket(port, { Cookie: cookie }, origin);
      page.ws.send(JSON.stringify({ id: 99, command: 'queue.run', input: {} }));
      await waitFor('the run to start', () => signal);
      expect(signal!.aborted).toBe(false);
      page.ws.close();
      await page.closed;
      await waitFor('the run to be stopped', () => signal!.aborted, 5000);
    });

    it('refuses a malformed message with its reason and closes (1008), before the engine', async () => {
      for (const malformed of ['not json', JSON.stringify({ command: 'uploads.list', input: {} }), JSON.stringify({ id: -1, command: 'uploads.list' }), JSON.stringify([1, 2])]) {
        const page = await openSocket(port, { Cookie: cookie }, origin);
        page.ws.send(malformed);
        const closed = await page.closed;
        expect(closed.code).toBe(1008);
        expect(page.messages).toHaveLength(1);
        expect(page.messages[0]).toHaveProperty('refused');
        expect(String(page.messages[0]!.refused)).toMatch(/not JSON|not a call/);
      }
      const binary = await openSocket(port, { Cookie: cookie }, origin);
      binary.ws.send(Buffer.from(JSON.stringify({ id: 1, command: 'uploads.list', input: {} })), { binary: true });
      expect((await binary.closed).code).toBe(1008);
      expect(engineCalls()).toBe(0);
    });

    it('closes on an oversized message (1009) without parsing it', async () => {
      const page = await openSocket(port, { Cookie: cookie }, origin);
      const paths = Array.from({ length: MAX_MESSAGE_BYTES / 16 }, (_, i) => `/tmp/file-${i}.txt`);
      page.ws.send(JSON.stringify({ id: 1, command: 'uploads.enqueue', input: { paths } }));
      expect((await page.closed).code).toBe(1009);
      expect(page.messages).toEqual([]);
      expect(engineCalls()).toBe(0);
    });
  });

  describe('staged files (a browser drop)', () => {
    const put = (path: string, body: Buffer, headers: Record<string, string> = {}) =>
      send(port, { method: 'PUT', path, headers: { Cookie: cookie, Origin: origin, [STAGING_SIZE_HEADER]: String(body.length), ...headers }, body });

    it('lands the exact bytes at their path inside the batch, folders kept', async () => {
      const batch = randomUUID();
      const bytes = randomBytes(3 * 1024 * 1024 + 17);
      const answer = await put(`/staging/${batch}/${encodeURIComponent('My Book')}/${encodeURIComponent('Chapter 1 #draft.txt')}`, bytes);
      expect(answer.status).toBe(201);
      expect(JSON.parse(answer.body)).toEqual({ ok: true, value: { relativePath: 'My Book/Chapter 1 #draft.txt', size: bytes.length } });
      const landed = join(engine.staging.batchDir(batch), 'My Book', 'Chapter 1 #draft.txt');
      expect(sha256(readFileSync(landed))).toBe(sha256(bytes));
    });

    it('keeps nothing of a PUT whose connection broke mid-body', async () => {
      const batch = randomUUID();
      await new Promise<void>((resolve) => {
        const req = request({ host: '127.0.0.1', port, method: 'PUT', path: `/staging/${batch}/broken.wav`, headers: { Host: `127.0.0.1:${port}`, Cookie: cookie, Origin: origin, [STAGING_SIZE_HEADER]: String(8 * 1024 * 1024), 'Content-Length': String(8 * 1024 * 1024) } });
        req.on('error', () => resolve());
        req.write(randomBytes(1024 * 1024), () => setTimeout(() => req.destroy(), 100));
        req.on('close', () => resolve());
      });
      const incoming = join(engine.staging.root, '.incoming');
      await waitFor('the partial copy to be removed', () => !existsSync(incoming) || readdirSync(incoming).length === 0, 10_000);
      expect(existsSync(join(engine.staging.batchDir(batch), 'broken.wav'))).toBe(false);
    });

    it('refuses a path out of the batch with a clear message, and writes nothing', async () => {
      const batch = randomUUID();
      const bytes = Buffer.from('escape');
      for (const path of [`/staging/${batch}/../escape.txt`, `/staging/${batch}/%2E%2E/escape.txt`, `/staging/${batch}/a/%2e%2e/%2e%2e/escape.txt`]) {
        const answer = await put(path, bytes);
        expect(answer.status).toBe(400);
        const outcome = JSON.parse(answer.body) as { ok: boolean; error: { code: string; message: string } };
        expect(outcome.ok).toBe(false);
        expect(outcome.error.code).toBe('invalid_name');
        expect(outcome.error.message).toMatch(/may not be empty, "\." or "\.\."/);
      }
      expect(existsSync(join(engine.staging.root, 'escape.txt'))).toBe(false);
      expect(existsSync(engine.staging.batchDir(batch))).toBe(false);
    });

    it('refuses a PUT without the cookie, without our Origin or without its size, and one whose body is longer than declared', async () => {
      const batch = randomUUID();
      const bytes = Buffer.from('chapter one');
      const path = `/staging/${batch}/a.txt`;
      expect((await send(port, { method: 'PUT', path, headers: { Origin: origin, [STAGING_SIZE_HEADER]: String(bytes.length) }, body: bytes })).status).toBe(401);
      expect((await put(path, bytes, { Origin: 'http://evil.example' })).status).toBe(403);
      expect((await send(port, { method: 'PUT', path, headers: { Cookie: cookie, [STAGING_SIZE_HEADER]: String(bytes.length) }, body: bytes })).status).toBe(403);
      const noSize = await send(port, { method: 'PUT', path, headers: { Cookie: cookie, Origin: origin }, body: bytes });
      expect(noSize.status).toBe(400);
      expect(JSON.parse(noSize.body).error.message).toContain(STAGING_SIZE_HEADER);
      expect((await put(path, bytes, { [STAGING_SIZE_HEADER]: String(6 * 1024 ** 4) })).status).toBe(413);
      expect((await put(`/staging/not-a-batch/a.txt`, bytes)).status).toBe(400);
      const longer = await put(path, bytes, { [STAGING_SIZE_HEADER]: '5', 'Transfer-Encoding': 'chunked' });
      expect(longer.status).toBe(400);
      expect(JSON.parse(longer.body).error.message).toContain('more bytes arrived than its size');
      expect(existsSync(engine.staging.batchDir(batch))).toBe(false);
    });
  });
});

describe('quire serve', () => {
  it('prints its address once, drives the queue, says when its port is taken, and stops cleanly on SIGTERM', async ({ onTestFinished }) => {
    const dataDir = tempDir('serve');
    const serve = startQuire(dataDir, ['serve', '--port', '0']);
    onTestFinished(() => void serve.child.kill('SIGKILL'));
    let stdout = '';
    serve.child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const address = await waitFor('the printed address', () => /Quire is at (http:\/\/127\.0\.0\.1:(\d+)\/\?token=[A-Za-z0-9_-]{43})\n/.exec(stdout), 30_000);
    const port = Number(address[2]);
    await waitFor('the queue to be driven', () => new QueueLock(dataDir).heldElsewhere(), 10_000);
    expect((await fetch(address[1]!, { redirect: 'manual' })).status).toBe(303);

    const second = await startQuire(tempDir('serve-second'), ['serve', '--port', String(port)]).done;
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`port ${port} is already in use`);
    expect(second.stderr).toContain(`quire serve --port ${port + 1}`);

    serve.child.kill('SIGTERM');
    const ended = await serve.done;
    expect(ended.code).toBe(0);
    expect(ended.stdout.match(/Quire is at/g)).toHaveLength(1);
    expect(ended.stderr).toContain('Ctrl-C (or SIGTERM) stops');
    expect(new QueueLock(dataDir).heldElsewhere()).toBe(false);
    await expect(fetch(`http://127.0.0.1:${port}/`)).rejects.toThrow();
  });

  it('serves while another Quire drives the queue, and takes the queue over within seconds of it ending', async ({ onTestFinished }) => {
    const dataDir = tempDir('serve-beside');
    const follow = startQuire(dataDir, ['run', '--follow']);
    onTestFinished(() => void follow.child.kill('SIGKILL'));
    await waitFor('quire run --follow to drive the queue', () => new QueueLock(dataDir).heldElsewhere(), 30_000);
    const serve = startQuire(dataDir, ['serve', '--port', '0']);
    onTestFinished(() => void serve.child.kill('SIGKILL'));
    let stdout = '';
    let stderr = '';
    serve.child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    serve.child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await waitFor('the printed address', () => stdout.includes('Quire is at http://127.0.0.1:'), 30_000);
    await waitFor('word that another Quire uploads', () => stderr.includes('Another Quire'), 10_000);

    follow.child.kill('SIGTERM');
    expect((await follow.done).code).toBe(0);
    // The lock is free for a moment, then quire serve (retrying every 5 s) holds it.
    await waitFor('quire serve to take the queue over', () => new QueueLock(dataDir).heldElsewhere(), 8_000, 100);
    serve.child.kill('SIGTERM');
    expect((await serve.done).code).toBe(0);
    expect(new QueueLock(dataDir).heldElsewhere()).toBe(false);
  });
});
