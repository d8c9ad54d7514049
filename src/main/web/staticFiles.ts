import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import sirv from 'sirv';
import { sendText } from './responses';

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * The built renderer (out/renderer), as the desktop window loads it: `/` is index.html, assets
 * by their hashed names. sirv looks each file up when asked (its "dev" mode) rather than listing
 * the folder once at start: a build made while `quire serve` runs (electron-vite empties the
 * folder and writes new names) is served at the next reload instead of answering 404s, or
 * reading a listed file that is gone. That mode does not hide dot files, so paths with a
 * segment starting with "." are refused here. GET and HEAD only: the host routes every other
 * method away before this.
 */
export function staticFiles(rendererDir: string): RequestHandler {
  if (!existsSync(join(rendererDir, 'index.html'))) {
    throw new Error(`The UI is not built: ${join(rendererDir, 'index.html')} is missing. Build it with: npx --no-install electron-vite build (npm start does this).`);
  }
  const serve = sirv(rendererDir, {
    dev: true,
    etag: true,
    setHeaders: (res, pathname) => {
      // The page is small and names its assets by hash: always fetched fresh, so a new build
      // is never mixed with an old page. Assets may be revalidated by their ETag.
      if (pathname === '/' || pathname.endsWith('.html')) res.setHeader('Cache-Control', 'no-store');
    },
    onNoMatch: (_req, res) => sendText(res, 404, 'Not found.'),
  });
  return (req, res) => {
    if (/(^|\/)\./.test(pathOf(req))) return sendText(res, 404, 'Not found.');
    serve(req, res);
  };
}

/** The path as sent, decoded once (as sirv decodes it), without the query. */
function pathOf(req: IncomingMessage): string {
  const raw = (req.url ?? '/').split('?')[0]!;
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}
