import { spawn } from 'node:child_process';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from './support/tempDir';
import { waitFor } from './support/waitFor';

const root = join(import.meta.dirname, '..');

/**
 * `npm start` where the desktop window cannot open (here: Electron's binary cannot be downloaded,
 * and there is no display): it says why in one line and serves the same app to a browser.
 */
describe('npm start without Electron', () => {
  it('says why and serves the UI, handing the browser its one-use address', async ({ onTestFinished }) => {
    const home = tempDir('start');
    // The system's opener, played by a script that writes down the address it was given (a real
    // one would start a browser the test could not end).
    const bin = join(home, 'bin');
    await mkdir(bin, { recursive: true });
    const opened = join(home, 'opened.txt');
    await writeFile(join(bin, 'xdg-open'), `#!/bin/sh\necho "$1" > '${opened}'\n`);
    await chmod(join(bin, 'xdg-open'), 0o755);
    const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${bin}:${process.env.PATH}`, QUIRE_HOME: join(home, 'data'), QUIRE_PORT: '0', DISPLAY: '', WAYLAND_DISPLAY: '', ELECTRON_OVERRIDE_DIST_PATH: join(home, 'no-electron-here') };
    const child = spawn('bash', [join(root, 'scripts', 'quire.sh')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    onTestFinished(async () => {
      if (child.exitCode === null && child.pid) process.kill(child.pid, 'SIGTERM');
      await exited;
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));

    await waitFor('the address', () => /Quire is at http:\/\/127\.0\.0\.1:\d+/.test(stdout), 120_000, 20);
    expect(stderr).toMatch(/(The desktop window needs Electron's binary, which could not be downloaded here|The desktop window needs a display, and this session has none \(DISPLAY is not set\)); serving the same app to your browser instead\./);
    await waitFor('the browser to be handed the address', async () => (await readFile(opened, 'utf8').catch(() => '')).startsWith('http://127.0.0.1:'), 10_000, 20);
    const oneUse = (await readFile(opened, 'utf8')).trim();
    // The one-use address lets the browser in (a session cookie) and serves the app's page.
    const entry = await fetch(oneUse, { redirect: 'manual' });
    const cookie = entry.headers.get('set-cookie')?.split(';')[0];
    expect(cookie, `no session from ${oneUse}: ${entry.status}`).toBeTruthy();
    const page = await fetch(new URL('/', oneUse), { headers: { cookie: cookie! } });
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<title>Quire<\/title>/);
  }, 180_000);
});
