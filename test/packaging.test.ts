import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, matchesGlob, relative } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { Engine } from '../src/main/core/engine';
import { classify, contentTypeFor } from '../src/main/core/layout/classify';
import { tempDir } from './support/tempDir';

/**
 * electron-builder cannot run here (it downloads Electron and its tool sets from GitHub), so the
 * installers are built on each OS's CI. This reads the configuration those builds use and checks
 * what users rely on against the code it packages: the four installers, the app's files and
 * nothing else, the migrations where the packaged engine looks, native modules outside the asar,
 * no rebuild (every binary is N-API), and the fuses.
 */
const root = join(import.meta.dirname, '..');
const CONFIG_FILE = 'electron-builder.config.cjs';

interface FileSet {
  from: string;
  to: string;
  filter?: string[];
}
interface BuilderConfig {
  appId: string;
  productName: string;
  directories: { output: string; buildResources: string };
  files: string[];
  extraResources: FileSet[];
  asar: boolean;
  asarUnpack: string[];
  npmRebuild: boolean;
  electronFuses: Record<string, boolean>;
  linux: { target: string[]; icon: string; category: string; executableName: string; maintainer: string };
  deb: { recommends: string[] };
  mac: { target: string[]; icon: string; category: string; hardenedRuntime: boolean; entitlements: string; entitlementsInherit: string };
  win: { target: string[]; icon: string };
  nsis: { oneClick: boolean; perMachine: boolean; deleteAppDataOnUninstall: boolean };
  fileAssociations: { ext: string[]; name: string; mimeType: string; role: string; rank: string }[];
}

const config = createRequire(import.meta.url)(join(root, CONFIG_FILE)) as BuilderConfig;
const packageJson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { main: string; bin: Record<string, string> };

/**
 * electron-builder's reading of a pattern list (app-builder-lib's minimatchAll): in order, a
 * pattern that matches selects the path, a later `!pattern` that matches drops it again.
 */
function selectedBy(patterns: string[], path: string): boolean {
  let selected = false;
  for (const pattern of patterns) {
    const negated = pattern.startsWith('!');
    if (selected !== negated) continue;
    if (matchesGlob(path, negated ? pattern.slice(1) : pattern)) selected = !negated;
  }
  return selected;
}

/** In the app's own files: `files`, plus package.json, which electron-builder always adds. */
const shipped = (path: string) => selectedBy([...config.files, 'package.json'], path);
/** electron-builder copies the production node_modules itself, filtered by the exclusions of `files` only. */
const shippedModuleFile = (path: string) => selectedBy(['**/*', ...config.files.filter((pattern) => pattern.startsWith('!'))], path);
const unpacked = (path: string) => selectedBy(config.asarUnpack, path);

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)).split('\\').join('/'));
}

function sourceOf(path: string): string {
  return readFileSync(join(root, path), 'utf8');
}

/** The TypeScript files of the hosts (src/main outside the engine), where Electron is wired. */
function hostSources(): { path: string; text: string }[] {
  return filesUnder(join(root, 'src/main'))
    .filter((path) => path.endsWith('.ts') && !path.startsWith('src/main/core/'))
    .map((path) => ({ path, text: sourceOf(path) }));
}

describe(`the installers' configuration (${CONFIG_FILE})`, () => {
  it('builds the AppImage and the deb, the dmg and the nsis installer', () => {
    expect(config.linux.target).toEqual(expect.arrayContaining(['AppImage', 'deb']));
    expect(config.mac.target).toContain('dmg');
    expect(config.win.target).toContain('nsis');
    expect(config.productName).toBe('Quire');
    expect(config.appId).toMatch(/^[a-z]+(\.[a-z]+)+$/);
    expect(config.directories.buildResources).toBe('build');
    // The output folder is not inside what is shipped.
    expect(shipped(`${config.directories.output}/linux-unpacked/resources/app.asar`)).toBe(false);
  });

  it('ships the whole build, and package.json names its main script inside it', () => {
    const built = filesUnder(join(root, 'out'));
    expect(built, 'out/ is missing: build first (npx --no-install electron-vite build --logLevel warn)').toContain(packageJson.main);
    for (const path of built) expect(shipped(path), `${path} is built but left out of the installers`).toBe(!path.endsWith('.map'));
    expect(shipped(packageJson.main)).toBe(true);
    expect(shipped('package.json')).toBe(true);
  });

  it("ships every script electron-vite's config emits for the main process, whether built or not", () => {
    const viteConfig = sourceOf('electron.vite.config.ts');
    const mainBlock = viteConfig.slice(viteConfig.indexOf('main: {'), viteConfig.indexOf('preload: {'));
    const entries = [...mainBlock.matchAll(/(\w+):\s*resolve\(__dirname,\s*'src\//g)].map((match) => match[1]);
    expect(entries).toEqual(expect.arrayContaining(['index', 'cli', 'imageWorker']));
    for (const entry of entries) expect(shipped(`out/main/${entry}.js`), `out/main/${entry}.js`).toBe(true);
    expect(shipped('out/main/chunks/engine-abc123.js')).toBe(true);
  });

  it('ships the preload and the page the window loads', () => {
    // The window's files are join(outDir, ...) with outDir = out/ (src/main/index.ts).
    const paths = [...sourceOf('src/main/electron/mainWindow.ts').matchAll(/join\(outDir((?:,\s*'[^']+')+)\)/g)].map((match) =>
      ['out', ...[...match[1]!.matchAll(/'([^']+)'/g)].map((segment) => segment[1])].join('/'),
    );
    expect(paths).toEqual(expect.arrayContaining(['out/preload/index.cjs', 'out/renderer/index.html']));
    for (const path of paths) expect(shipped(path), path).toBe(true);
  });

  it('leaves out sources, tests, the bench, docs, scripts and source maps', () => {
    const repositoryFiles = ['src', 'test', 'bench', 'docs', 'scripts', 'resources', 'bin', 'build'].flatMap((dir) => filesUnder(join(root, dir)));
    expect(repositoryFiles.length).toBeGreaterThan(100);
    for (const path of repositoryFiles) expect(shipped(path), `${path} would be shipped`).toBe(false);
    for (const path of ['README.md', 'tsconfig.json', 'electron.vite.config.ts', CONFIG_FILE, 'out/main/index.js.map', 'out/renderer/assets/index-abc.js.map']) {
      expect(shipped(path), `${path} would be shipped`).toBe(false);
    }
  });

  it('puts the migrations where the packaged engine looks for them, and the engine opens its ledger from there', async () => {
    // Where the Electron host says a packaged app's resources are: join(process.resourcesPath, ...).
    const claims = hostSources().flatMap(({ path, text }) =>
      [...text.matchAll(/join\(process\.resourcesPath((?:,\s*'[^']+')+)\)/g)].map((match) => ({ path, segments: [...match[1]!.matchAll(/'([^']+)'/g)].map((s) => s[1]!) })),
    );
    expect(claims.length, 'no join(process.resourcesPath, ...) in src/main: where does the packaged app find its resources?').toBeGreaterThan(0);
    expect(new Set(claims.map((claim) => claim.segments.join('/'))).size, JSON.stringify(claims)).toBe(1);

    // Lay the extra resources out as electron-builder does: `to` relative to process.resourcesPath.
    const resourcesPath = join(tempDir('packaged'), 'resources-path');
    for (const set of config.extraResources) {
      for (const path of filesUnder(join(root, set.from))) {
        const inside = relative(set.from, path);
        if (!selectedBy(set.filter ?? ['**/*'], inside)) continue;
        const target = join(resourcesPath, set.to, inside);
        mkdirSync(dirname(target), { recursive: true });
        copyFileSync(join(root, path), target);
      }
    }

    // The engine, given that folder as a packaged app gives it, applies every migration.
    const dataDir = tempDir('packaged-data');
    const engine = Engine.open({ dataDir, env: {}, resourcesDir: join(resourcesPath, ...claims[0]!.segments) });
    await engine.close();
    const journal = JSON.parse(sourceOf('resources/migrations/meta/_journal.json')) as { entries: unknown[] };
    const ledger = new Database(join(dataDir, 'ledger.sqlite'), { readonly: true });
    try {
      const applied = ledger.prepare('SELECT count(*) AS n FROM __drizzle_migrations').get() as { n: number };
      expect(applied.n).toBe(journal.entries.length);
    } finally {
      ledger.close();
    }
  });

  describe('native modules', () => {
    const lock = JSON.parse(sourceOf('package-lock.json')) as { packages: Record<string, { dev?: boolean; os?: string[] }> };
    const production = Object.entries(lock.packages).filter(([path, entry]) => path.startsWith('node_modules/') && !entry.dev);
    const installed = production.flatMap(([path]) => filesUnder(join(root, path)));
    const binaries = [...new Set(installed.filter((path) => /\.(node|wasm|dylib|dll)$|\.so(\.\d+)*$/.test(path)))];

    it('ships every native binary the app loads, outside the asar', () => {
      for (const module of ['better-sqlite3/', '@napi-rs/keyring-', '@img/sharp-', '@img/sharp-libvips-', '@img/sharp-wasm32/']) {
        expect(binaries.some((path) => path.startsWith(`node_modules/${module}`)), `no binary found under node_modules/${module}`).toBe(true);
      }
      for (const path of binaries) {
        expect(shippedModuleFile(path), `${path} is left out`).toBe(true);
        expect(unpacked(path), `${path} stays inside the asar`).toBe(true);
      }
      expect(unpacked('node_modules/sharp/lib/sharp.js')).toBe(true);
    });

    it("unpacks the other platforms' builds too (installed only on their own CI)", () => {
      const platformPackages = production.filter(([, entry]) => entry.os).map(([path]) => path);
      expect(platformPackages).toEqual(expect.arrayContaining(['node_modules/@img/sharp-darwin-arm64', 'node_modules/@img/sharp-win32-x64', 'node_modules/@napi-rs/keyring-darwin-arm64', 'node_modules/@napi-rs/keyring-win32-x64-msvc']));
      for (const path of platformPackages) expect(unpacked(`${path}/lib/binding.node`), path).toBe(true);
    });

    it('are all N-API, so npmRebuild stays off and one binary serves Node and Electron', () => {
      expect(config.npmRebuild).toBe(false);
      const nativeModules = binaries.filter((path) => path.endsWith('.node'));
      for (const path of nativeModules) {
        const binary = readFileSync(join(root, path));
        // N-API modules export napi_register_module_v1; a module built for one Node ABI exports node_register_module_vNNN.
        expect(binary.includes('napi_register_module_v1'), `${path} is not an N-API module`).toBe(true);
        expect(binary.includes('node_register_module_v'), `${path} is built for one Node ABI`).toBe(false);
      }
      // better-sqlite3 carries a prebuilt binary for every OS and architecture the installers are built on.
      for (const target of ['linux-x64', 'linux-arm64', 'darwin-x64', 'darwin-arm64', 'win32-x64', 'win32-arm64']) {
        expect(nativeModules, target).toContain(`node_modules/better-sqlite3/prebuilds/${target}.node`);
      }
    });
  });

  describe('the Electron fuses', () => {
    it('turn off running as Node, NODE_OPTIONS and the inspector, and load only an intact app.asar', () => {
      expect(config.electronFuses).toMatchObject({
        runAsNode: false,
        enableNodeOptionsEnvironmentVariable: false,
        enableNodeCliInspectArguments: false,
        onlyLoadAppFromAsar: true,
        enableEmbeddedAsarIntegrityValidation: true,
        enableCookieEncryption: true,
      });
      expect(config.asar).toBe(true);
    });

    it("grant file:// its extra privileges exactly while the window loads a file:// page (else the packaged window is blank, or file:// is needlessly open)", () => {
      const mainWindow = sourceOf('src/main/electron/mainWindow.ts');
      const loadsFilePage = /\.loadFile\(|['`]file:\/\/|pathToFileURL\(/.test(mainWindow);
      expect(config.electronFuses.grantFileProtocolExtraPrivileges).toBe(loadsFilePage);
    });
  });

  it('names the Windows app as the code does, wherever the code names it (notifications need the same AppUserModelID)', () => {
    let named = 0;
    for (const { path, text } of hostSources()) {
      for (const match of text.matchAll(/setAppUserModelId\(\s*'([^']+)'/g)) {
        expect(match[1], path).toBe(config.appId);
        named += 1;
      }
    }
    // Without it Windows shows none of Quire's notifications.
    expect(named).toBeGreaterThan(0);
  });

  it('signs the Mac app with the hardened runtime and only the JIT exception', () => {
    expect(config.mac.hardenedRuntime).toBe(true);
    expect(config.mac.category).toBe('public.app-category.productivity');
    for (const plist of [config.mac.entitlements, config.mac.entitlementsInherit]) {
      const keys = [...sourceOf(plist).matchAll(/<key>([^<]+)<\/key>/g)].map((match) => match[1]);
      expect(keys, plist).toEqual(['com.apple.security.cs.allow-jit']);
    }
  });

  it('gives every installer an icon of at least 512x512', () => {
    for (const icon of new Set([config.linux.icon, config.mac.icon, config.win.icon])) {
      const png = readFileSync(join(root, icon));
      expect(png.subarray(1, 4).toString('latin1'), icon).toBe('PNG');
      // IHDR: width and height, big-endian, right after the signature and the chunk header.
      expect(Math.min(png.readUInt32BE(16), png.readUInt32BE(20)), icon).toBeGreaterThanOrEqual(512);
      expect(statSync(join(root, icon)).size).toBeGreaterThan(1000);
    }
  });

  it("installs on Linux beside the quire command line, not over it", () => {
    expect(Object.keys(packageJson.bin)).not.toContain(config.linux.executableName);
    expect(config.linux.maintainer).toBeTruthy();
    expect(config.linux.category).toBe('Office');
    expect(config.deb.recommends.join(' ')).toContain('gnome-keyring');
  });

  it('installs on Windows for the current user by default and keeps the ledger on uninstall', () => {
    expect(config.nsis).toMatchObject({ oneClick: false, perMachine: false, deleteAppDataOnUninstall: false });
  });

  it('offers "Open with Quire" for the files authors upload, as the content type Quire sends them with, never as their default app', () => {
    const extensions = config.fileAssociations.flatMap((association) => association.ext);
    expect(extensions).toEqual(expect.arrayContaining(['pdf', 'epub', 'docx', 'mp3', 'wav', 'm4a', 'm4b', 'flac', 'jpg', 'png']));
    for (const association of config.fileAssociations) {
      expect(association, association.name).toMatchObject({ role: 'Viewer', rank: 'Alternate' });
      for (const ext of association.ext) {
        expect(classify(`/home/a/book.${ext}`), ext).not.toBe('other');
        expect(contentTypeFor(`book.${ext}`), ext).toBe(association.mimeType);
      }
    }
  });
});
