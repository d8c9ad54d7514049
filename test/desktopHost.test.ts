import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commandNames, eventNames, EVENT_CHANNEL, INVOKE_CHANNEL } from '../src/shared/channels';
import { createApiHandlers } from '../src/main/core/api';
import { decideClose } from '../src/main/desktop/closePolicy';
import { isQuireBuiltUrl } from '../src/main/desktop/externalLinks';
import { invokeHandler } from '../src/main/desktop/ipcInvoke';
import { launchFromInstance, parseLaunch } from '../src/main/desktop/launchArgs';
import { permissionAllowed } from '../src/main/desktop/permissions';
import { applyAutostart, autostartEntry, loginItemPlan } from '../src/main/desktop/loginItem';
import { secureWebPreferences } from '../src/main/desktop/windowOptions';
import { preloadExposure, type PreloadIpc } from '../src/preload/exposure';
import { openScriptedWorld } from './support/scriptedWorld';
import { tempDir } from './support/tempDir';

describe('the window and its bridge', () => {
  it('builds the window with the secure preferences', () => {
    expect(secureWebPreferences('/app/out/preload/index.cjs')).toEqual({
      preload: '/app/out/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: false,
    });
  });

  it('is what the window is built with, and nothing else sets web preferences', async () => {
    const { readFile: read } = await import('node:fs/promises');
    const root = join(import.meta.dirname, '..', 'src', 'main');
    const window = await read(join(root, 'electron', 'mainWindow.ts'), 'utf8');
    expect(window).toMatch(/webPreferences: secureWebPreferences\(join\(outDir, 'preload', 'index\.cjs'\)\)/);
    const { readdirSync } = await import('node:fs');
    const others = (readdirSync(root, { recursive: true }) as string[]).filter((file) => file.endsWith('.ts') && !file.endsWith('mainWindow.ts') && !file.endsWith('windowOptions.ts'));
    expect(others.length).toBeGreaterThan(50);
    for (const file of others) expect(await read(join(root, file), 'utf8'), file).not.toMatch(/webPreferences|new BrowserWindow\(/);
  });

  it('answers every contract command over IPC from our main frame only, and validates each input', async ({ onTestFinished }) => {
    const world = await openScriptedWorld(onTestFinished);
    const invoke = invokeHandler(createApiHandlers(world.engine));
    for (const name of commandNames) {
      // A deliberately wrong input: the command is known, so the contract's schema answers.
      const answer = (await invoke({ fromOurMainFrame: true }, name, { bogus: '../x', connection: 7 })) as { ok: boolean; error?: { code: string; message: string } };
      expect(answer.error?.message ?? '', name).not.toMatch(/Unknown command/);
    }
    expect(await invoke({ fromOurMainFrame: true }, 'connections.list', {})).toMatchObject({ ok: true });
    expect(await invoke({ fromOurMainFrame: true }, 'shell.exec', {})).toMatchObject({ ok: false, error: { code: 'usage', message: expect.stringMatching(/Unknown command/) } });
    expect(await invoke({ fromOurMainFrame: false }, 'connections.list', {})).toMatchObject({ ok: false, error: { message: 'Refused: not from the Quire window.' } });
    expect(await invoke({ fromOurMainFrame: true }, 42, {})).toMatchObject({ ok: false });
  });

  it('exposes to the page exactly the contract\'s commands and events, and a dropped file\'s path', async () => {
    const sent: unknown[][] = [];
    const listeners = new Map<string, ((event: unknown, ...args: unknown[]) => void)[]>();
    const ipc: PreloadIpc = {
      invoke: async (...args) => {
        sent.push(args);
        return { ok: true, value: null };
      },
      on: (channel, listener) => listeners.set(channel, [...(listeners.get(channel) ?? []), listener]),
      off: (channel, listener) => listeners.set(channel, (listeners.get(channel) ?? []).filter((l) => l !== listener)),
    };
    const exposed = preloadExposure(ipc, (file) => `/home/a/${file.name}`);
    expect(Object.keys(exposed).sort()).toEqual(['quire', 'quireHost']);
    expect(Object.keys(exposed.quire).sort()).toEqual(['invoke', 'on']);
    expect(Object.keys(exposed.quireHost).sort()).toEqual(['kind', 'pathForFile']);
    expect(exposed.quireHost.pathForFile(new File(['x'], 'ch1.wav'))).toBe('/home/a/ch1.wav');

    for (const name of commandNames) await exposed.quire.invoke(name as never, {} as never);
    expect(sent.map((args) => args[1])).toEqual([...commandNames]);
    expect(sent.every((args) => args[0] === INVOKE_CHANNEL)).toBe(true);
    expect(await exposed.quire.invoke('fs.readFile' as never, {} as never)).toMatchObject({ ok: false });
    expect(sent).toHaveLength(commandNames.length);

    const heard: unknown[] = [];
    for (const name of eventNames) exposed.quire.on(name, (payload) => heard.push([name, payload]));
    const stop = exposed.quire.on('nope' as never, () => heard.push('nope'));
    stop();
    for (const listener of listeners.get(EVENT_CHANNEL) ?? []) listener({}, 'queue.state', { state: 'idle' });
    expect(heard).toEqual([['queue.state', { state: 'idle' }]]);
  });

  it('grants the page only the clipboard write "Copy link" needs, only on our own page', () => {
    const own = 'file:///opt/Quire/resources/app.asar/out/renderer/index.html';
    const ours = { fromOurWindow: true, url: `${own}#/history`, ownUrl: own };
    expect(permissionAllowed('clipboard-sanitized-write', ours)).toBe(true);
    for (const permission of ['clipboard-read', 'notifications', 'media', 'geolocation', 'openExternal', 'fullscreen']) expect(permissionAllowed(permission, ours), permission).toBe(false);
    expect(permissionAllowed('clipboard-sanitized-write', { ...ours, fromOurWindow: false })).toBe(false);
    expect(permissionAllowed('clipboard-sanitized-write', { ...ours, url: 'https://evil.example/' })).toBe(false);
  });

  it('opens outside only https addresses of the author\'s own objects', () => {
    const connections = [
      { endpoint: 'https://nyc3.digitaloceanspaces.com', bucket: 'books', cdnBaseUrl: null, pathStyle: false },
      { endpoint: 'http://127.0.0.1:7480', bucket: 'local', cdnBaseUrl: 'https://cdn.example.com/media', pathStyle: true },
    ];
    expect(isQuireBuiltUrl('https://books.nyc3.digitaloceanspaces.com/books/covers/a.jpg?X-Amz-Signature=abc', connections)).toBe(true);
    expect(isQuireBuiltUrl('https://cdn.example.com/media/books/covers/a.jpg', connections)).toBe(true);
    expect(isQuireBuiltUrl('https://cdn.example.com/other/a.jpg', connections)).toBe(false);
    // A share link of a private object is signed at the bucket's own address, CDN or not.
    const withCdn = [{ endpoint: 'https://fra1.digitaloceanspaces.com', bucket: 'press', cdnBaseUrl: 'https://press.fra1.cdn.digitaloceanspaces.com', pathStyle: false }];
    expect(isQuireBuiltUrl('https://press.fra1.digitaloceanspaces.com/books/content/a.pdf?X-Amz-Signature=1', withCdn)).toBe(true);
    expect(isQuireBuiltUrl('https://press.fra1.cdn.digitaloceanspaces.com/books/covers/a.jpg', withCdn)).toBe(true);
    expect(isQuireBuiltUrl('http://books.nyc3.digitaloceanspaces.com/a.jpg', connections)).toBe(false);
    expect(isQuireBuiltUrl('https://evil.example/books.nyc3.digitaloceanspaces.com/', connections)).toBe(false);
    expect(isQuireBuiltUrl('https://user:pw@books.nyc3.digitaloceanspaces.com/a', connections)).toBe(false);
    expect(isQuireBuiltUrl('file:///etc/passwd', connections)).toBe(false);
    expect(isQuireBuiltUrl('http://127.0.0.1:7480/local/a.jpg', connections)).toBe(false);
  });
});

describe('the app\'s life on the desktop', () => {
  it('keeps uploads going in the tray when the window closes, says so once, and quits when there is nothing to do', () => {
    const base = { quitting: false, closeKeepsRunning: true, working: true, watching: false, hintShown: false };
    expect(decideClose(base)).toEqual({ action: 'hide', sayHint: true });
    expect(decideClose({ ...base, hintShown: true })).toEqual({ action: 'hide', sayHint: false });
    expect(decideClose({ ...base, working: false, watching: true, hintShown: true })).toEqual({ action: 'hide', sayHint: false });
    expect(decideClose({ ...base, working: false })).toEqual({ action: 'quit', sayHint: false });
    expect(decideClose({ ...base, closeKeepsRunning: false })).toEqual({ action: 'quit', sayHint: false });
    expect(decideClose({ ...base, quitting: true })).toEqual({ action: 'quit', sayHint: false });
  });

  it('takes the files a launch was opened with, and the login start\'s --hidden', async () => {
    const dir = tempDir('launch');
    await mkdir(join(dir, 'Book'), { recursive: true });
    await writeFile(join(dir, 'chapter 1.wav'), 'x');
    expect(parseLaunch(['/opt/Quire/quire', '--hidden'], { packaged: true, cwd: dir })).toEqual({ hidden: true, paths: [] });
    expect(parseLaunch(['/opt/Quire/quire', '--no-sandbox', 'chapter 1.wav', join(dir, 'Book'), 'missing.pdf', 'chapter 1.wav'], { packaged: true, cwd: dir })).toEqual({ hidden: false, paths: [join(dir, 'chapter 1.wav'), join(dir, 'Book')] });
    // From source, Electron's second argument is the app's folder, not a file to upload.
    expect(parseLaunch(['/x/electron', dir, 'chapter 1.wav'], { packaged: false, cwd: dir }).paths).toEqual([join(dir, 'chapter 1.wav')]);
  });

  it('takes a second launch as the first instance receives it, and nothing else', () => {
    expect(launchFromInstance({ hidden: false, paths: ['/home/a/ch1.wav', 'relative.pdf', 7] })).toEqual({ hidden: false, paths: ['/home/a/ch1.wav'] });
    expect(launchFromInstance({ hidden: true, paths: [] })).toEqual({ hidden: true, paths: [] });
    expect(launchFromInstance(undefined)).toEqual({ hidden: false, paths: [] });
    expect(launchFromInstance({ paths: '/etc/passwd' })).toEqual({ hidden: false, paths: [] });
  });

  it('opens at login through the OS on macOS and Windows, hidden', () => {
    for (const platform of ['darwin', 'win32'] as const) {
      expect(loginItemPlan(true, { platform, env: {}, execPath: 'C:\\Quire\\Quire.exe' })).toEqual({ kind: 'os', settings: { openAtLogin: true, openAsHidden: true, args: ['--hidden'] } });
    }
    expect(loginItemPlan(false, { platform: 'darwin', env: {}, execPath: '/Applications/Quire.app' })).toMatchObject({ settings: { openAtLogin: false } });
  });

  it('opens at login on Linux by an XDG autostart entry naming the AppImage, written and removed', async () => {
    const home = tempDir('autostart');
    const plan = loginItemPlan(true, { platform: 'linux', env: { APPIMAGE: '/home/a/Apps/Quire 1.0.AppImage' }, execPath: '/tmp/.mount_Quire/quire', home });
    expect(plan).toEqual({ kind: 'xdg-autostart', path: join(home, '.config', 'autostart', 'quire.desktop'), content: autostartEntry('/home/a/Apps/Quire 1.0.AppImage') });
    expect(plan.kind === 'xdg-autostart' && plan.content).toBe(
      ['[Desktop Entry]', 'Type=Application', 'Version=1.0', 'Name=Quire', 'Comment=Resumable, verified uploads of manuscripts, audiobooks and covers', 'Exec="/home/a/Apps/Quire 1.0.AppImage" --hidden', 'Icon=quire-desktop', 'Terminal=false', 'X-GNOME-Autostart-enabled=true', ''].join('\n'),
    );
    if (plan.kind !== 'xdg-autostart') throw new Error('linux plans an autostart entry');
    await applyAutostart(plan);
    expect(await readFile(plan.path, 'utf8')).toContain('Exec="/home/a/Apps/Quire 1.0.AppImage" --hidden');
    const off = loginItemPlan(false, { platform: 'linux', env: { XDG_CONFIG_HOME: join(home, '.config') }, execPath: '/opt/Quire/quire' });
    expect(off).toEqual({ kind: 'xdg-autostart', path: plan.path, content: null });
    if (off.kind === 'xdg-autostart') await applyAutostart(off);
    expect(existsSync(plan.path)).toBe(false);
    // A deb install runs its own executable; odd characters are escaped as the spec says.
    expect(autostartEntry('/opt/Quire/quire')).toContain('Exec=/opt/Quire/quire --hidden');
    // Quoted, the reserved characters escaped, then every backslash doubled (Exec is a string value).
    expect(autostartEntry('/home/a/"odd" $dir/100%/Quire')).toContain('Exec="/home/a/\\\\"odd\\\\" \\\\$dir/100%%/Quire" --hidden');
  });
});
