import { registerHooks } from 'node:module';
import type { ErrorData } from '../../../shared/errors';
import { printable } from '../../../shared/printable';
import { isQuireError, QuireError } from '../errors';
import { ImageCache, settingsHash, type EncoderVersions } from './imageCache';
import type { PreparedSet, PrepareRequest } from './imageJob';
import { prepareImage, readSource, type Sharp } from './prepareImage';

/**
 * The image worker: a child process of the engine (see imagePool.ts for why a process) that
 * prepares one image at a time. It hashes the source first and answers from the cache when it
 * can, so an unchanged image is never decoded.
 *
 * Messages: the pool sends `WorkerJob`s; the worker answers `ready` once sharp is loaded, then one
 * result per job. It exits when the pool goes away (a Node child's IPC channel closes; Electron
 * ends a utility process with the app) or says `close` (a utility process has no channel to close).
 * The channel is Node's IPC (process.send) or Electron's parentPort: see workerProcess.ts for who
 * starts it how.
 */

export type SharpBuild = 'native' | 'wasm';

export interface WorkerJob {
  kind: 'job';
  id: number;
  cacheDir: string;
  request: PrepareRequest;
}

/** What the pool sends: an image to prepare, or (to an idle worker) the word to exit. */
export type PoolMessage = WorkerJob | { kind: 'close' };

export type WorkerReply =
  | { kind: 'ready'; build: SharpBuild; versions: EncoderVersions }
  | { kind: 'result'; id: number; ok: true; set: PreparedSet; peakRssBytes: number }
  | { kind: 'result'; id: number; ok: false; error: ErrorData; peakRssBytes: number };

// Which sharp to load, decided BEFORE sharp is imported (hence the dynamic import below).
// sharp's native libvips crashes inside Electron on Linux: Electron's own GLib clashes with the
// one libvips is linked against (electron/electron#46323, lovell/sharp#4522, #4525), and a
// utility process (or a child run as ELECTRON_RUN_AS_NODE) crashes the same way. The
// desktop host on Linux therefore starts this worker with QUIRE_SHARP_BUILD=wasm: the native
// packages are made unresolvable, and sharp falls back by itself to @img/sharp-wasm32 (its
// documented last resort), which loads no native GLib. Blocking rather than redirecting keeps
// sharp's own checks meaningful (its x64 CPU check calls a function the wasm binding lacks).
// The CLI and `quire serve` run under plain Node and keep the faster native build.
const requested: SharpBuild = process.env.QUIRE_SHARP_BUILD === 'wasm' ? 'wasm' : 'native';
const NATIVE_BINDING = /^@img\/sharp-(?!(?:[a-z]+-)?wasm32\/)[^/]+\/sharp\.node$|\/build\/Release\/sharp-(?!wasm32-)[^/]+\.node$/;
const ANY_BINDING = /\/sharp\.node$|\/build\/Release\/sharp-[^/]+\.node$/;
/** The last binding resolved is the one sharp loaded (it stops at the first that loads). */
let loadedBinding = '';
registerHooks({
  resolve(specifier, context, nextResolve) {
    if (requested === 'wasm' && NATIVE_BINDING.test(specifier)) {
      throw Object.assign(new Error(`${specifier} is not used here: this image worker runs sharp's WebAssembly build`), { code: 'MODULE_NOT_FOUND' });
    }
    const resolved = nextResolve(specifier, context);
    if (ANY_BINDING.test(specifier)) loadedBinding = resolved.url;
    return resolved;
  },
});

/** The way to the pool: Electron's parentPort in a utility process, Node's IPC channel in a forked child. */
interface PoolChannel {
  send(reply: WorkerReply): void;
  onMessage(listener: (message: PoolMessage) => void): void;
}

/** Electron's `process.parentPort` (typed here by shape: this file runs under plain Node too). */
interface ParentPort {
  on(event: 'message', listener: (event: { data: PoolMessage }) => void): unknown;
  postMessage(message: WorkerReply): void;
}

function poolChannel(): PoolChannel | null {
  const parentPort = (process as { parentPort?: ParentPort }).parentPort;
  if (parentPort) {
    return { send: (reply) => parentPort.postMessage(reply), onMessage: (listener) => void parentPort.on('message', (event) => listener(event.data)) };
  }
  if (process.send) {
    // The engine stopped or died: nothing is left to answer to.
    process.on('disconnect', () => process.exit(0));
    return { send: (reply) => void process.send?.(reply), onMessage: (listener) => void process.on('message', listener) };
  }
  return null;
}

const channel = poolChannel();
if (!channel) {
  console.error('imageWorker: run me from the image pool (child_process.fork or Electron utilityProcess), not by hand.');
  process.exit(2);
}
const send = (reply: WorkerReply) => channel.send(reply);

// Jobs are listened for at once (a message that arrives with no listener is lost) and taken one
// at a time, after sharp has loaded.
let chain: Promise<unknown> = Promise.resolve();
let loaded: { sharp: Sharp; versions: EncoderVersions } | null = null;
const loading = import('sharp').then(({ default: sharp }) => {
  // One image per worker and one libvips thread per image: the pool's size is the parallelism,
  // so CPU and memory are bounded by it, and a busy pool leaves the engine's cores to uploads.
  sharp.concurrency(1);
  // libvips' operation cache would hold decoded images between jobs for nothing: each is new.
  sharp.cache(false);
  const versions = { sharp: sharp.versions.sharp ?? 'unknown', vips: sharp.versions.vips };
  loaded = { sharp, versions };
  send({ kind: 'ready', build: /wasm32/.test(loadedBinding) ? 'wasm' : 'native', versions });
  return loaded;
});
loading.catch((error: unknown) => {
  // Before `ready`: the pool tells the author the image worker could not start.
  console.error(`imageWorker: sharp (${requested}) could not be loaded: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(3);
});

channel.onMessage((message) => {
  // `close` waits for the chain too, though the pool only says it to an idle worker.
  chain = message.kind === 'close' ? chain.then(() => process.exit(0)) : chain.then(() => run(message));
});
// Ctrl-C in a terminal reaches the whole process group: the engine decides when a worker ends
// (it stops the prepare stage, then the pool), so an image half made is not taken for a crash.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => {});

async function run(job: WorkerJob): Promise<void> {
  const peakRssBytes = () => process.resourceUsage().maxRSS * 1024;
  try {
    const set = await prepare(job);
    send({ kind: 'result', id: job.id, ok: true, set, peakRssBytes: peakRssBytes() });
  } catch (error) {
    send({ kind: 'result', id: job.id, ok: false, error: asErrorData(job.request.label, error), peakRssBytes: peakRssBytes() });
  }
}

async function prepare({ cacheDir, request }: WorkerJob): Promise<PreparedSet> {
  const { sharp, versions } = loaded ?? (await loading);
  const source = await readSource(request.sourcePath, request.label);
  const cache = new ImageCache(cacheDir);
  const key = { sourceSha256: source.sha256, settingsHash: settingsHash(request, versions) };
  const hit = await cache.lookup(key, { sourceMtimeMs: source.mtimeMs });
  if (hit) return hit;
  return cache.store(key, (dir) => prepareImage(sharp, request, source, dir));
}

function asErrorData(label: string, error: unknown): ErrorData {
  if (isQuireError(error)) return error.toData();
  const code = (error as NodeJS.ErrnoException).code;
  const name = printable(label);
  if (code === 'ENOSPC') return new QuireError('disk_full', `The disk is full: the images of ${name} cannot be written. Free some space, then retry it.`, { retryable: true }).toData();
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return new QuireError('internal', `The images of ${name} cannot be written to Quire's image cache (${(error as Error).message}). Check that Quire's data folder is writable.`, { retryable: true }).toData();
  }
  const detail = error instanceof Error ? error.message : String(error);
  return new QuireError('internal', `${name}: its images could not be made (${printable(detail)}). Retry it, or upload it as it is.`, { retryable: true }).toData();
}
