import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The layering table of the architecture, checked on every import specifier in src/:
 * the engine runs headless (no Electron), the UI runs in a browser (no Node), the contract runs
 * everywhere, and the sandboxed preload carries nothing but Electron's bridge and the names.
 */
const src = join(import.meta.dirname, '..', 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|tsx)$/.test(name) ? [path] : [];
  });
}

/** Value imports only: `import type` vanishes at build time and crosses no layer at run time. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/^\s*(?:import|export)\s(?!type\s)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s+['"]([^'"]+)['"]/gm)];
  return specifiers.map((match) => match[1] ?? match[2] ?? match[3] ?? '');
}

const isNodeBuiltin = (spec: string) => spec.startsWith('node:') || builtinModules.includes(spec.split('/')[0]!);
const layerOf = (file: string) => relative(src, file).split('/').slice(0, relative(src, file).startsWith('main/') ? 2 : 1).join('/');

interface Rule {
  layer: string;
  files: (file: string) => boolean;
  forbidden: (spec: string, file: string) => string | null;
}

const resolvesInto = (file: string, spec: string, folder: string) => spec.startsWith('.') && join(file, '..', spec).startsWith(join(src, folder));

const rules: Rule[] = [
  {
    layer: 'src/shared',
    files: (f) => f.startsWith(join(src, 'shared')),
    forbidden: (spec, file) => (spec.startsWith('.') ? (resolvesInto(file, spec, 'shared') ? null : 'leaves src/shared') : spec === 'zod' ? null : 'only zod may be imported'),
  },
  {
    layer: 'src/main/core',
    files: (f) => f.startsWith(join(src, 'main', 'core')),
    forbidden: (spec, file) =>
      spec === 'electron' || spec.startsWith('electron/') ? 'the engine never imports Electron' : ['main/electron', 'renderer', 'preload', 'main/cli'].some((folder) => resolvesInto(file, spec, folder)) ? 'the engine imports no host or UI' : null,
  },
  {
    layer: 'src/main/cli',
    files: (f) => f.startsWith(join(src, 'main', 'cli')),
    forbidden: (spec, file) => (spec === 'electron' ? 'the CLI runs without Electron' : resolvesInto(file, spec, 'renderer') ? 'hosts do not import the UI' : null),
  },
  {
    // The desktop app's decisions (tray, notifications, power, login item, close, IPC): plain
    // code tested under Node; only src/main/electron binds them to Electron.
    layer: 'src/main/desktop',
    files: (f) => f.startsWith(join(src, 'main', 'desktop')),
    forbidden: (spec, file) => (spec === 'electron' || spec.startsWith('electron/') ? 'desktop decisions run without Electron' : resolvesInto(file, spec, 'main/electron') || resolvesInto(file, spec, 'renderer') ? 'desktop decisions import no binding or UI' : null),
  },
  {
    layer: 'src/preload',
    files: (f) => f.startsWith(join(src, 'preload')),
    // The sandboxed preload bundles what it imports: the channel names, never the zod schemas.
    forbidden: (spec, file) =>
      spec === 'electron' || resolvesInto(file, spec, 'preload') || (resolvesInto(file, spec, 'shared') && spec.endsWith('/channels')) ? null : 'the preload imports only electron, itself and src/shared/channels',
  },
  {
    layer: 'src/renderer',
    files: (f) => f.startsWith(join(src, 'renderer')),
    forbidden: (spec, file) =>
      spec === 'electron' ? 'the UI never imports Electron' : isNodeBuiltin(spec) ? 'the UI runs in a browser: no Node modules' : spec.startsWith('.') && !resolvesInto(file, spec, 'renderer') && !resolvesInto(file, spec, 'shared') ? 'the UI imports only itself and src/shared' : null,
  },
];

describe('layering', () => {
  const files = sourceFiles(src);

  for (const rule of rules) {
    it(`${rule.layer} imports only what it may`, () => {
      const inLayer = files.filter(rule.files);
      // A rule that matches no file would pass without checking anything.
      expect(inLayer.length, `no files found in ${rule.layer}`).toBeGreaterThan(0);
      const violations = inLayer.flatMap((file) =>
        importsOf(file)
          .map((spec) => ({ spec, reason: rule.forbidden(spec, file) }))
          .filter((v) => v.reason !== null)
          .map((v) => `${relative(src, file)}: "${v.spec}" — ${v.reason}`),
      );
      expect(violations).toEqual([]);
    });
  }

  it('sees the imports it checks (the parser is not blind)', () => {
    expect(importsOf(join(src, 'main', 'core', 'engine.ts'))).toContain('node:path');
    expect(layerOf(join(src, 'main', 'core', 'engine.ts'))).toBe('main/core');
  });
});
