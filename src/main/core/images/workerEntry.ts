import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { QuireError } from '../errors';

/** The script an image worker process runs, and the Node options it needs. */
export interface ImageWorkerEntry {
  path: string;
  execArgv: string[];
}

/**
 * The built worker, `imageWorker.js`, beside a bundle entry (electron-vite builds
 * src/main/core/images/imageWorker.ts as its own main entry, out/main/imageWorker.js). Hosts pass
 * their own folder (`import.meta.dirname` of index.js or cli.js), since the engine's code may sit
 * in a shared chunk elsewhere.
 */
export function builtImageWorker(entryDir: string): ImageWorkerEntry {
  return { path: join(entryDir, 'imageWorker.js'), execArgv: [] };
}

/**
 * The worker for the code running now. From source (vitest, tsx): the .ts file beside this one,
 * run through tsx's loader; tsx is resolved to an absolute URL here, so the worker starts
 * whatever the current directory is. From a bundle: imageWorker.js in this chunk's folder or the
 * one above (out/main/chunks/ -> out/main/).
 */
export function resolveImageWorker(): ImageWorkerEntry {
  const here = dirname(fileURLToPath(import.meta.url));
  if (import.meta.url.endsWith('.ts')) {
    const tsx = createRequire(import.meta.url).resolve('tsx');
    return { path: join(here, 'imageWorker.ts'), execArgv: ['--import', pathToFileURL(tsx).href] };
  }
  for (const dir of [here, dirname(here)]) {
    const built = builtImageWorker(dir);
    if (existsSync(built.path)) return built;
  }
  throw new QuireError('internal', `Quire's image worker (imageWorker.js) is missing beside ${here}: the installation is incomplete. Reinstall Quire, or upload images as they are (quire upload --no-optimize).`);
}
