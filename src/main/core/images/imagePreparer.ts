import { printable } from '../../../shared/printable';
import type { ImagePresetName } from '../../../shared/images';
import type { Settings } from '../../../shared/settings';
import { isQuireError, QuireError } from '../errors';
import type { UploadRow } from '../ledger/schema';
import { fingerprintFile } from '../upload/fingerprint';
import { SOURCE_QUIET_MS } from '../upload/sourceFile';
import { CLEARED_ERROR } from '../upload/transferContext';
import type { UploadRepository } from '../upload/uploadRepository';
import type { PreparedSet, PrepareRequest } from './imageJob';
import { prepareRequestFor } from './imagePreview';
import type { ImageSetRepository, VariantFile } from './imageSetRepository';
import { chooseSetName } from './setName';
import { GPS_NOTICE } from './prepareImage';
import type { ObjectStore } from '../s3/gateway';

/** How often the preparer looks for rows that owe a set while it has none (another process may queue some). */
const IDLE_POLL_MS = 500;
/** After trouble no rule foresaw, a row is taken again after this. */
const RETRY_AFTER_TROUBLE_MS = 5000;

/** The image pool as the preparer uses it: its own processes, its own budget (see imagePool.ts). */
export interface ImageWork {
  prepare(request: PrepareRequest, signal?: AbortSignal): Promise<PreparedSet>;
  /** Images prepared at once. */
  readonly size: number;
}

export interface PreparerPorts {
  uploads: UploadRepository;
  sets: ImageSetRepository;
  images: () => ImageWork;
  /** The author's settings now (image choices, and whether everything is paused). */
  settings: () => Settings;
  multipartThreshold: () => number;
  /** Times a file may be found changed before its images are given up on (the queue's limit, `maxWaits`). */
  maxChanges: number;
  /** The connection's one gateway: a set's name is chosen by asking the bucket which keys are free. */
  gatewayFor: (connectionId: string) => Promise<ObjectStore>;
  /** How the author named a file (a browser drop's file by its path in the drop, not its staged copy): messages name this. */
  nameOf: (path: string) => string;
  /** Rows changed: hosts hear of them; the queue looks at once when a set was queued. */
  changed: (ids: string[]) => void;
  /** Rows this stage worked on, so a `quire run` waiting for the queue counts how they ended. */
  workedOn: (id: string) => void;
  /** Trims the image cache to its size (sets of finished uploads, least recently used first). */
  trimCache: () => Promise<unknown>;
  clock: () => number;
}

/**
 * The prepare stage: rows of images that owe their web set (`optimize` set at intake) are taken
 * here before the queue may send them. Each is prepared in the image pool, beside the transfers
 * and outside their request budget, and its set is recorded in one transaction; then the queue
 * sends the original (when kept) and every variant like any other upload. A bad image fails its
 * own row with a message that names it; nothing else in the batch is touched, and "upload as is"
 * (`uploads.asIs`) sends the file unchanged.
 */
export class ImagePreparer {
  private readonly active = new Map<string, AbortController>();
  private loop: Promise<void> | null = null;
  private stopping = false;
  private wakeSleeper: (() => void) | null = null;
  private woken = false;
  /** Sets recorded since the cache was last trimmed: it is trimmed when the stage falls idle. */
  private recordedSinceTrim = 0;

  constructor(private readonly ports: PreparerPorts) {}

  /** The uploads whose images are being prepared now. */
  get busy(): string[] {
    return [...this.active.keys()];
  }

  start(): void {
    if (this.loop) return;
    this.stopping = false;
    this.loop = this.drive();
  }

  /** Stops every image under way; their rows go back to queued (a restart prepares them again, from the cache when it can). */
  async stop(): Promise<void> {
    if (!this.loop) return;
    this.stopping = true;
    for (const controller of this.active.values()) controller.abort();
    this.wake();
    await this.loop;
    this.loop = null;
  }

  /** The author paused or cancelled these rows: their preparation stops now. */
  stopRows(ids: string[]): void {
    for (const id of ids) this.active.get(id)?.abort();
  }

  /** Something was queued or resumed in this process: look now. */
  nudge(): void {
    this.wake();
  }

  private async drive(): Promise<void> {
    // The first look happens after the caller's current step, as the queue's does: a run that
    // starts the engine and then waits is registered before any image is taken.
    await Promise.resolve();
    const running = new Set<Promise<void>>();
    while (!this.stopping) {
      let started = 0;
      try {
        started = this.fill(running);
      } catch {
        // The ledger could not be read (busy, a full disk): the queue reports that; look again later.
      }
      if (started === 0 && this.active.size === 0 && this.recordedSinceTrim > 0) {
        this.recordedSinceTrim = 0;
        await this.ports.trimCache().catch(() => {}); // a cache a little over its size is no failure
      }
      if (started === 0) await this.sleep(IDLE_POLL_MS);
    }
    await Promise.all(running);
  }

  /** Starts as many owed rows as the pool has room for; returns how many started. */
  private fill(running: Set<Promise<void>>): number {
    this.dropWithdrawn();
    if (this.ports.settings().queuePaused) return 0;
    const room = this.ports.images().size - this.active.size;
    if (room <= 0) return 0;
    const owed = this.ports.sets.owed(this.ports.clock(), room + this.active.size).filter((row) => !this.active.has(row.id));
    let started = 0;
    for (const row of owed.slice(0, room)) {
      if (!this.ports.uploads.move(row.id, 'preparing', { ...CLEARED_ERROR })) continue;
      const controller = new AbortController();
      this.active.set(row.id, controller);
      this.ports.workedOn(row.id);
      this.ports.changed([row.id]);
      const job: Promise<void> = this.prepareRow(row, controller.signal)
        .catch((error: unknown) => this.putBack(row.id, error))
        .finally(() => {
          this.active.delete(row.id);
          running.delete(job);
          this.wake();
        });
      running.add(job);
      started += 1;
    }
    return started;
  }

  /**
   * Rows the author took back from another process (paused, cancelled, or "as is" from a second
   * shell or the app's window) are seen here within a poll, as the queue sees its own: their work stops.
   */
  private dropWithdrawn(): void {
    for (const [id, controller] of this.active) {
      const row = this.ports.uploads.get(id);
      if (!row || row.status !== 'preparing' || row.optimize === null) controller.abort();
    }
  }

  private async prepareRow(row: UploadRow, signal: AbortSignal): Promise<void> {
    const settings = this.ports.settings();
    const preset = row.optimize as ImagePresetName;
    const request = prepareRequestFor(row.sourcePath, preset, settings, this.ports.nameOf(row.sourcePath));
    let set: PreparedSet;
    let variants: VariantFile[];
    let baseKey: string;
    let replaceable: Map<string, string | null>;
    try {
      set = await this.ports.images().prepare(request, signal);
      variants = await Promise.all(set.outputs.map(async (output) => ({ ...output, identity: await fingerprintFile(output.path, this.ports.multipartThreshold()) })));
      if (set.sourceSize !== row.size || Math.trunc(set.sourceMtimeMs) !== row.mtimeMs) {
        // Read while it was being written, or changed since it was queued: the new version is taken,
        // and prepared once the file has been left alone (the cache makes a second look cheap).
        return this.settle(row.id, () => this.changed(row));
      }
      const members = [...(settings.imageKeepOriginal ? [{ variant: 'original', sha256: set.sourceSha256, size: set.sourceSize }] : []), ...variants];
      // An image changed after its set was made may have sent some sizes of the old version: the new set replaces them.
      replaceable = new Map(this.ports.uploads.verifiedSetMembers(row.id).map((member) => [member.objectKey, member.etag]));
      baseKey = await chooseSetName(row, members, settings.imageFormat, { gateway: () => this.ports.gatewayFor(row.connectionId), uploads: this.ports.uploads, signal, replaceable });
    } catch (error) {
      if (signal.aborted) return this.settle(row.id, () => this.backToQueued(row.id));
      return this.settle(row.id, () => this.fail(row, error));
    }
    if (signal.aborted) return this.settle(row.id, () => this.backToQueued(row.id));
    const recorded = this.ports.sets.record(row, { ...set, notices: withOriginalNotice(set.notices, settings.imageKeepOriginal) }, variants, {
      preset,
      format: settings.imageFormat,
      keepOriginal: settings.imageKeepOriginal,
      baseKey,
      replaceable,
      multipartThreshold: this.ports.multipartThreshold(),
      now: this.ports.clock(),
    });
    if (!recorded) return this.settle(row.id, () => this.backToQueued(row.id));
    this.recordedSinceTrim += 1;
    this.ports.changed([row.id, ...recorded.variantIds]);
  }

  /**
   * A row whose work stopped goes back to the queue if it is still the stage's: a pause or a cancel
   * the author made meanwhile stands, and a row sent "as is" is then the queue's to send.
   */
  private backToQueued(id: string): void {
    this.ports.uploads.moveMany([id], 'queued', {}, ['preparing']);
  }

  /** Something no rule foresaw (the ledger busy past its timeout, say): the row is tried again shortly, never left preparing. */
  private putBack(id: string, error: unknown): void {
    try {
      this.ports.uploads.moveMany([id], 'waiting', { retryAfter: this.ports.clock() + RETRY_AFTER_TROUBLE_MS, errorCode: 'internal', errorMessage: `Its images are made again shortly: ${error instanceof Error ? error.message : String(error)}`, errorRetryable: true }, ['preparing']);
      this.ports.changed([id]);
    } catch {
      // Not even that could be written: the next start takes the row again (it is in flight).
    }
  }

  private async changed(row: UploadRow): Promise<void> {
    const name = printable(this.ports.nameOf(row.sourcePath));
    const identity = await fingerprintFile(row.sourcePath, this.ports.multipartThreshold()).catch(() => null);
    if (!identity) return this.fail(row, new QuireError('file_missing', `${name} is no longer there (moved, renamed or deleted since it was queued). Put it back, or remove it from the queue.`, { retryable: true }));
    this.ports.uploads.update(row.id, { size: identity.size, mtimeMs: identity.mtimeMs, fingerprint: identity.fingerprint });
    // The queue's rule for a file that never settles: it fails with a message rather than being made again for ever.
    const changeCount = row.changeCount + 1;
    if (changeCount > this.ports.maxChanges) {
      this.ports.uploads.move(row.id, 'failed', { changeCount, errorCode: 'file_changed', errorMessage: `${name} keeps changing: it changed ${changeCount} times while Quire made its images. Retry it once nothing writes to it any more.`, errorRetryable: true });
      return;
    }
    this.ports.uploads.move(row.id, 'waiting', {
      changeCount,
      retryAfter: this.ports.clock() + SOURCE_QUIET_MS * 2 ** Math.min(changeCount - 1, 4),
      errorCode: 'file_changed',
      errorMessage: `${name} changed while its images were being made: they are made again from the new version once the file has been left alone.`,
      errorRetryable: true,
    });
  }

  private fail(row: UploadRow, error: unknown): void {
    const failure = asImageFailure(this.ports.nameOf(row.sourcePath), error);
    this.ports.uploads.move(row.id, 'failed', { errorCode: failure.code, errorMessage: failure.message, errorRetryable: failure.retryable });
  }

  /** Writes a row's outcome (a write that fails leaves the row preparing; a restart takes it again) and tells the hosts. */
  private async settle(id: string, write: () => unknown): Promise<void> {
    try {
      await write();
    } finally {
      this.ports.changed([id]);
    }
  }

  private wake(): void {
    this.woken = true;
    this.wakeSleeper?.();
  }

  private sleep(ms: number): Promise<void> {
    if (this.woken || this.stopping) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done() {
        clearTimeout(timer);
        self.wakeSleeper = null;
        self.woken = false;
        resolve();
      }
      this.wakeSleeper = done;
    });
  }
}

/**
 * The web images never carry a GPS position unless the author said so, but the original goes
 * byte for byte: an author who keeps it is told, with how to keep the position at home.
 */
function withOriginalNotice(notices: string[], originalKept: boolean): string[] {
  if (!originalKept || !notices.includes(GPS_NOTICE)) return notices;
  return [...notices, "the original is uploaded as it is, GPS position included: turn off 'Upload the original too' in Settings (quire settings --no-keep-original) to keep it on this computer"];
}

/**
 * Every failure of the stage as the author reads it. The worker names the file and says what to
 * do for everything about the image and its reading; what is left is Quire's own trouble.
 */
function asImageFailure(path: string, error: unknown): QuireError {
  if (isQuireError(error)) return error;
  return new QuireError('internal', `${printable(path)}: its images could not be made (${error instanceof Error ? error.message : String(error)}). Retry it, or upload it as it is.`, { retryable: true });
}
