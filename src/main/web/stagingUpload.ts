import type { IncomingMessage, ServerResponse } from 'node:http';
import { PassThrough, type Readable } from 'node:stream';
import type { ErrorData } from '../../shared/errors';
import { printable } from '../../shared/printable';
import { STAGING_PATH_PREFIX, STAGING_SIZE_HEADER } from '../../shared/wire';
import { QuireError } from '../core/errors';
import type { StagingArea } from '../core/staging/stagingArea';
import { sendError, sendJson } from './responses';

/**
 * The largest file a drop may stage: S3's (and Spaces') largest object. Staging is otherwise bounded
 * only by the disk, which the staging area reports as `disk_full` when it runs out.
 */
export const MAX_STAGED_FILE_BYTES = 5 * 1024 ** 4;

/**
 * `PUT /staging/<batch>/<path inside the drop, each segment URI-encoded>` with the file's size in
 * `x-quire-size`: one file of a browser drop, streamed to disk as it arrives (the request is the
 * stream; the write's backpressure pauses the socket, so memory stays a few chunks whatever the
 * size). The file appears in the batch only once every declared byte arrived. The caller has
 * checked Host, the session cookie and Origin.
 *
 * `rawPath` is the path exactly as sent: the WHATWG URL parser would turn `%2E%2E` into a `..`
 * and resolve it away, hiding from the staging area the very name it must refuse.
 */
export async function receiveStagedFile(req: IncomingMessage, res: ServerResponse, staging: StagingArea, rawPath: string): Promise<void> {
  // An early answer leaves the rest of the body unread: the connection is closed rather than
  // drained, so a refused 5 GB PUT costs nothing more.
  const refuse = (status: number, error: ErrorData) => sendError(res, status, error, { Connection: 'close' });
  const target = parseStagingPath(rawPath);
  if (!target.ok) return refuse(400, target.error);
  const size = parseDeclaredSize(req);
  if (!size.ok) return refuse(size.status, size.error);

  try {
    const written = await staging.write(target.batch, target.relativePath, bodyOf(req), size.value);
    sendJson(res, 201, { ok: true, value: { relativePath: target.relativePath, size: written.size } });
  } catch (error) {
    const data: ErrorData = error instanceof QuireError ? error.toData() : { code: 'internal', message: error instanceof Error ? error.message : String(error), retryable: false };
    // A broken connection has nobody left to answer; the staging area already removed the partial copy.
    if (!res.writable || req.socket.destroyed) return;
    refuse(statusFor(data), data);
  }
}

/**
 * The request body as a stream of its own. The staging area destroys its source when a write
 * fails (more bytes than declared, a full disk); destroying `req` itself would destroy the
 * socket, and with it the answer that says why. A browser that goes away mid-body still ends
 * the write, as a broken stream.
 */
function bodyOf(req: IncomingMessage): Readable {
  const body = new PassThrough();
  req.pipe(body);
  req.on('error', (error) => body.destroy(error));
  req.on('close', () => {
    if (!req.complete) body.destroy(Object.assign(new Error('the browser closed the connection mid-file'), { code: 'ECONNRESET' }));
  });
  return body;
}

function statusFor(error: ErrorData): number {
  switch (error.code) {
    case 'disk_full':
      return 507;
    case 'file_too_large':
      return 413;
    case 'internal':
      return 500;
    default:
      // usage, invalid_name, staging_incomplete: the request itself was wrong or incomplete.
      return 400;
  }
}

type Parsed<T> = ({ ok: true } & T) | { ok: false; status: number; error: ErrorData };

function usage(message: string, status = 400): { ok: false; status: number; error: ErrorData } {
  return { ok: false, status, error: { code: 'usage', message, retryable: false } };
}

/** Splits the raw path into the batch and the path inside the drop, decoding each segment once. */
export function parseStagingPath(rawPath: string): Parsed<{ batch: string; relativePath: string }> {
  const segments = rawPath.slice(STAGING_PATH_PREFIX.length).split('/');
  const [batch, ...inside] = segments;
  if (!batch || inside.length === 0 || inside.every((segment) => segment === '')) {
    return usage(`A staged file goes to ${STAGING_PATH_PREFIX}<batch>/<path inside the drop>; ${printable(rawPath)} names no file.`);
  }
  try {
    // The staging area refuses "..", ".", empty segments and control characters, with the name.
    return { ok: true, batch: decodeURIComponent(batch), relativePath: inside.map((segment) => decodeURIComponent(segment)).join('/') };
  } catch {
    return usage(`${printable(rawPath)} is not a valid URI-encoded path.`);
  }
}

function parseDeclaredSize(req: IncomingMessage): Parsed<{ value: number }> {
  const declared = req.headers[STAGING_SIZE_HEADER];
  if (typeof declared !== 'string' || !/^\d{1,16}$/.test(declared)) {
    return usage(`A staged file needs its size in bytes in the ${STAGING_SIZE_HEADER} header.`);
  }
  const value = Number(declared);
  if (value > MAX_STAGED_FILE_BYTES) {
    return { ok: false, status: 413, error: { code: 'file_too_large', message: `A file of ${value} bytes is larger than the largest object S3 and Spaces store (5 TiB).`, retryable: false } };
  }
  const length = req.headers['content-length'];
  if (length !== undefined && Number(length) !== value) {
    return usage(`The body has ${length} bytes but ${STAGING_SIZE_HEADER} says ${value}.`);
  }
  return { ok: true, value };
}
