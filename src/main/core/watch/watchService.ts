import { randomUUID } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import { printable } from '../../../shared/printable';
import { watchAddInputSchema, type WatchAddInput, type WatchFolderState, type WatchFolderSummary } from '../../../shared/watch';
import type { ConnectionService } from '../connections/connectionService';
import { QuireError } from '../errors';
import type { EngineEvents } from '../events/engineEvents';
import type { WatchFolderRow } from '../ledger/schema';
import type { ObjectStore } from '../s3/gateway';
import type { PlanOptions } from '../upload/enqueue';
import type { UploadRepository } from '../upload/uploadRepository';
import { reconcileFolder, type ReconcilePorts } from './reconcile';
import { deleteReport, deleteVanished } from './remoteDeletes';
import { WatchRules } from './watchRules';
import { parseGlobs, WatchRepository } from './watchRepository';

/** How often the driving process looks for folders added, paused or removed from another process. */
const POLL_LEDGER_MS = 2000;
/** A full scan behind the watcher, to catch what events missed: hourly, jittered so folders spread out. */
const PERIODIC_SCAN_MS = 60 * 60 * 1000;
/** While a folder's watcher is broken (or the folder is unavailable), it is scanned this often instead. */
const FALLBACK_SCAN_MS = 60 * 1000;
const ANNOUNCE_EVERY_MS = 1000;
/** Events close together are looked at together. */
const HINT_DELAY_MS = 300;

export interface WatchPorts {
  repository: WatchRepository;
  uploads: UploadRepository;
  connections: ConnectionService;
  events: EngineEvents;
  gatewayFor: (connectionId: string) => Promise<ObjectStore>;
  /** How files are looked at, as settings say now (multipart threshold, which images get their set). */
  planOptions: () => PlanOptions;
  queued: ReconcilePorts['queued'];
}

/** One watched folder in the driving process. */
interface LiveFolder {
  row: WatchFolderRow;
  rules: WatchRules;
  watcher: FSWatcher | null;
  hints: Set<string>;
  hintTimer: NodeJS.Timeout | null;
  scanTimer: NodeJS.Timeout | null;
  running: Promise<void>;
  busy: boolean;
  problem: { kind: 'unavailable' | 'error'; message: string } | null;
}

/**
 * Watch folders. The command side (add, pause, remove...) writes the ledger from any process;
 * the process that drives the queue watches: chokidar's events are hints of where to look, and a
 * reconcile against the ledger (at start, for every hint, hourly, and every minute while a
 * watcher is broken) decides what to send.
 */
export class WatchService {
  private readonly live = new Map<string, LiveFolder>();
  private readonly writes: ReconcilePorts['writes'] = new Map();
  private started = false;
  private pollTimer: NodeJS.Timeout | null = null;
  private stamps = new Map<string, number>();
  private firstScans: Promise<void> = Promise.resolve();
  private settleTimer: NodeJS.Timeout | null = null;
  /** Uploads heard to have ended, whose files are settled at the next moment. */
  private readonly finishedUploads = new Set<string>();
  /** Folders whose summary is due to hosts, sent at most once a second each. */
  private readonly announcing = new Map<string, NodeJS.Timeout | null>();
  private readonly onUploadChanged = ({ upload }: { upload: { id: string; status: string } }) => {
    if (upload.status === 'verified' || upload.status === 'cancelled') {
      this.finishedUploads.add(upload.id);
      this.settleSoon();
    }
  };

  constructor(private readonly ports: WatchPorts) {}

  // ---- commands (any process) ---------------------------------------------------------------

  async add(input: WatchAddInput): Promise<WatchFolderSummary> {
    const request = watchAddInputSchema.parse(input);
    if (!isAbsolute(request.path)) throw new QuireError('usage', `${printable(request.path)} is not an absolute path.`);
    const path = resolve(request.path);
    const info = await stat(path).catch(() => null);
    if (!info?.isDirectory()) throw new QuireError('file_missing', `${printable(path)} is not a folder on this computer. Check the path.`);
    const connection = this.ports.connections.resolve(request.connection);
    for (const other of this.ports.repository.folders()) {
      const inside = relative(other.path, path);
      const outside = relative(path, other.path);
      if (other.path === path) throw new QuireError('usage', `${printable(path)} is already watched (id ${other.id.slice(0, 8)}).`);
      if (!inside.startsWith('..') && !isAbsolute(inside)) throw new QuireError('usage', `${printable(path)} is inside ${printable(other.path)}, which is already watched: its files would be sent twice.`);
      if (!outside.startsWith('..') && !isAbsolute(outside)) throw new QuireError('usage', `${printable(path)} contains ${printable(other.path)}, which is already watched: remove that one first, or watch a folder beside it.`);
    }
    const now = Date.now();
    const row: WatchFolderRow = {
      id: randomUUID(),
      path,
      connectionId: connection.id,
      prefix: request.to ? request.to : null,
      category: request.type ?? null,
      include: JSON.stringify(request.include),
      exclude: JSON.stringify(request.exclude),
      poll: request.poll,
      syncDeletes: request.syncDeletes,
      deleteGuardPercent: request.deleteGuardPercent,
      optimize: request.optimize ?? null,
      deletesHeld: 0,
      paused: false,
      problem: null,
      message: null,
      scanRequestedAt: now,
      lastScanAt: null,
      lastSyncAt: null,
      createdAt: now,
      updatedAt: now,
    };
    this.ports.repository.insertFolder(row);
    if (this.started) this.applyLedger();
    return this.summary(row);
  }

  list(): WatchFolderSummary[] {
    // Uploads that ended since are written to their files first (safe from any process: the
    // ledger alone decides), so the counts are true even where no Quire is watching.
    this.ports.repository.settleFinishedUploads(Date.now());
    return this.ports.repository.folders().map((row) => this.summary(row));
  }

  pause(id: string): WatchFolderSummary {
    return this.change(id, { paused: true });
  }

  resume(id: string): WatchFolderSummary {
    return this.change(id, { paused: false, scanRequestedAt: Date.now() });
  }

  scan(id: string): WatchFolderSummary {
    return this.change(id, { scanRequestedAt: Date.now() });
  }

  /**
   * The author says the files that vanished at once were meant to go: their objects are deleted
   * now (each only if it is still what Quire wrote), and the guard's hold is lifted.
   */
  async confirmDeletes(id: string): Promise<WatchFolderSummary> {
    const row = this.resolve(id);
    if (row.deletesHeld === 0) throw new QuireError('usage', `No deletions are waiting in ${printable(row.path)}.`);
    const vanished = [...this.ports.repository.files(row.id).values()].filter((file) => file.state === 'missing');
    const outcome = await deleteVanished(row.id, vanished, await this.ports.gatewayFor(row.connectionId), this.ports);
    const message = deleteReport(row.path, outcome);
    this.ports.repository.updateFolder(row.id, { deletesHeld: 0, problem: message ? 'error' : null, message });
    if (this.started) this.applyLedger();
    return this.summary(this.ports.repository.folder(row.id) ?? row);
  }

  /** Stops watching; nothing is deleted, in the folder or in the bucket (its uploads stay in the queue). */
  remove(id: string): void {
    const row = this.resolve(id);
    this.ports.repository.removeFolder(row.id);
    if (this.started) this.applyLedger();
  }

  private change(id: string, values: Partial<WatchFolderRow>): WatchFolderSummary {
    const row = this.resolve(id);
    this.ports.repository.updateFolder(row.id, values);
    if (this.started) this.applyLedger();
    return this.summary(this.ports.repository.folder(row.id) ?? row);
  }

  private resolve(id: string): WatchFolderRow {
    const matches = this.ports.repository.findByIdPrefix(id.toLowerCase());
    if (matches.length === 1) return matches[0]!;
    throw new QuireError('usage', matches.length === 0 ? `No watch folder with id ${id} (see: quire watch list).` : `Id ${id} matches ${matches.length} watch folders; give more of it.`);
  }

  summary(row: WatchFolderRow): WatchFolderSummary {
    const files = this.ports.repository.counts(row.id);
    const live = this.live.get(row.id);
    const problem = live ? live.problem : row.problem ? { kind: row.problem, message: row.message ?? '' } : null;
    const state: WatchFolderState = row.paused ? 'paused' : problem ? problem.kind : live?.busy || files.pending > 0 || (live?.hints.size ?? 0) > 0 ? 'syncing' : 'idle';
    let connection = row.connectionId;
    try {
      connection = this.ports.connections.resolveById(row.connectionId).name;
    } catch {
      // removed meanwhile: the id is all there is to say
    }
    return {
      id: row.id,
      path: row.path,
      connectionId: row.connectionId,
      connection,
      to: row.prefix,
      type: (row.category as WatchFolderSummary['type']) ?? null,
      include: parseGlobs(row.include),
      exclude: parseGlobs(row.exclude),
      poll: row.poll,
      syncDeletes: row.syncDeletes,
      deleteGuardPercent: row.deleteGuardPercent,
      optimize: row.optimize,
      deletesHeld: row.deletesHeld,
      paused: row.paused,
      state,
      message: problem?.message ?? null,
      files,
      lastScanAt: row.lastScanAt,
      lastSyncAt: row.lastSyncAt,
      createdAt: row.createdAt,
    };
  }

  // ---- watching (the driving process) --------------------------------------------------------

  /** Watches every folder that is not paused, and scans each once now. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.ports.events.on('upload.changed', this.onUploadChanged);
    this.settleFinished();
    this.applyLedger();
    this.firstScans = Promise.all([...this.live.values()].map((folder) => folder.running)).then(() => {});
    this.pollTimer = setInterval(() => this.applyLedger(), POLL_LEDGER_MS);
    this.pollTimer.unref();
  }

  /** Resolves once every folder watched at start has been scanned once (`quire run` waits for it). */
  whenScanned(): Promise<void> {
    return this.firstScans;
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    this.ports.events.off('upload.changed', this.onUploadChanged);
    if (this.pollTimer) clearInterval(this.pollTimer);
    if (this.settleTimer) clearTimeout(this.settleTimer);
    this.pollTimer = this.settleTimer = null;
    // What ended before the stop is written now, so the next start and `quire watch list` agree.
    this.settleHeardOf();
    for (const timer of this.announcing.values()) if (timer) clearTimeout(timer);
    this.announcing.clear();
    await Promise.all([...this.live.keys()].map((id) => this.unwatch(id)));
  }

  /** Brings the watched set in line with the ledger: folders added, paused, changed or removed elsewhere, scans asked for. */
  private applyLedger(): void {
    if (!this.started) return;
    this.settleHeardOf();
    const rows = new Map(this.ports.repository.folders().map((row) => [row.id, row]));
    for (const id of this.live.keys()) {
      const row = rows.get(id);
      if (!row || row.paused || row.updatedAt !== this.stamps.get(id)) void this.unwatch(id);
    }
    for (const row of rows.values()) {
      this.stamps.set(row.id, row.updatedAt);
      if (row.paused || this.live.has(row.id)) continue;
      this.watchFolder(row);
    }
  }

  private watchFolder(row: WatchFolderRow): void {
    const folder: LiveFolder = {
      row,
      rules: new WatchRules(parseGlobs(row.include), parseGlobs(row.exclude)),
      watcher: null,
      hints: new Set(),
      hintTimer: null,
      scanTimer: null,
      running: Promise.resolve(),
      busy: false,
      // What the last process found stands until a look shows otherwise.
      problem: row.problem ? { kind: row.problem, message: row.message ?? '' } : null,
    };
    this.live.set(row.id, folder);
    this.openWatcher(folder);
    // A new folder, one whose settings changed, or one asked to be scanned: all of it, now.
    this.enqueueScan(folder, 'all');
    if (row.scanRequestedAt !== null) this.ports.repository.updateFolder(row.id, { scanRequestedAt: null });
    this.stamps.set(row.id, this.ports.repository.folder(row.id)?.updatedAt ?? row.updatedAt);
  }

  private openWatcher(folder: LiveFolder): void {
    const root = folder.row.path;
    const watcher = watch(root, {
      ignoreInitial: true,
      persistent: true,
      followSymlinks: false,
      usePolling: folder.row.poll,
      interval: 2000,
      // Dot-folders (.git, .Trash) and excluded folders are not watched at all: fewer inotify watches.
      ignored: (path, stats) => {
        const inside = relative(root, path).split(sep).join('/');
        return inside !== '' && !!stats?.isDirectory() && !folder.rules.walksInto(inside);
      },
    });
    watcher.on('all', (_event, path) => this.hint(folder, relative(root, path).split(sep).join('/')));
    watcher.on('error', (error) => this.watcherFailed(folder, error as NodeJS.ErrnoException));
    folder.watcher = watcher;
  }

  private watcherFailed(folder: LiveFolder, error: NodeJS.ErrnoException): void {
    const root = printable(folder.row.path);
    const message =
      error.code === 'ENOSPC'
        ? `${root}: the system ran out of file watches (inotify), so changes are found by a scan every minute instead. Raise fs.inotify.max_user_watches, or turn on polling for this folder.`
        : error.code === 'EACCES' || error.code === 'EPERM'
          ? `${root}: permission denied while watching; changes are found by a scan every minute. Give Quire read access to the folder.`
          : `${root}: watching stopped (${error.code ?? error.message}); changes are found by a scan every minute.`;
    this.setProblem(folder, { kind: 'error', message });
    this.enqueueScan(folder, 'all');
  }

  private hint(folder: LiveFolder, relativePath: string): void {
    if (relativePath === '' || relativePath.startsWith('..')) {
      this.enqueueScan(folder, 'all');
      return;
    }
    folder.hints.add(relativePath);
    folder.hintTimer ??= setTimeout(() => {
      folder.hintTimer = null;
      const paths = new Set(folder.hints);
      folder.hints.clear();
      this.enqueueScan(folder, paths);
    }, HINT_DELAY_MS);
  }

  /** One reconcile at a time per folder; each is queued behind the one running. */
  private enqueueScan(folder: LiveFolder, scope: 'all' | Set<string>): void {
    folder.running = folder.running.then(() => this.reconcile(folder, scope));
  }

  private async reconcile(folder: LiveFolder, scope: 'all' | Set<string>): Promise<void> {
    if (this.live.get(folder.row.id) !== folder) return; // stopped or replaced meanwhile
    folder.busy = true;
    const now = Date.now();
    try {
      const connection = this.ports.connections.resolveById(folder.row.connectionId);
      // The row as it is now: a look before this one may have held or released deletions.
      const row = this.ports.repository.folder(folder.row.id) ?? folder.row;
      const outcome = await reconcileFolder(row, connection, folder.rules, scope, {
        repository: this.ports.repository,
        uploads: this.ports.uploads,
        gateway: () => this.ports.gatewayFor(connection.id),
        planOptions: this.ports.planOptions(),
        queued: this.ports.queued,
        writes: this.writes,
      });
      if (outcome.unavailable) this.setProblem(folder, { kind: 'unavailable', message: outcome.unavailable });
      else if (
        folder.problem?.kind === 'unavailable' ||
        (folder.problem?.kind === 'error' && outcome.problems.length === 0 && ((scope === 'all' && folder.watcher) || (row.deletesHeld > 0 && this.ports.repository.folder(row.id)?.deletesHeld === 0)))
      )
        this.setProblem(folder, null);
      if (!outcome.unavailable && outcome.problems.length > 0) this.setProblem(folder, { kind: 'error', message: outcome.problems.slice(0, 3).join(' ') + (outcome.problems.length > 3 ? ` (and ${outcome.problems.length - 3} more)` : '') });
      if (scope === 'all' && !outcome.unavailable) this.ports.repository.updateFolder(folder.row.id, { lastScanAt: now });
      this.stamps.set(folder.row.id, this.ports.repository.folder(folder.row.id)?.updatedAt ?? 0);
      for (const path of outcome.unsettled) folder.hints.add(path);
      if (outcome.lookAgainAt !== null) {
        const wait = Math.max(50, outcome.lookAgainAt - Date.now());
        const timer = setTimeout(() => {
          const paths = new Set(folder.hints);
          folder.hints.clear();
          if (paths.size > 0) this.enqueueScan(folder, paths);
        }, wait);
        timer.unref();
      }
    } catch (error) {
      this.setProblem(folder, { kind: 'error', message: `${printable(folder.row.path)}: ${error instanceof Error ? error.message : String(error)}` });
    } finally {
      folder.busy = false;
      this.scheduleNextScan(folder);
      this.announce(folder.row.id);
    }
  }

  private scheduleNextScan(folder: LiveFolder): void {
    if (folder.scanTimer) clearTimeout(folder.scanTimer);
    const every = folder.problem ? FALLBACK_SCAN_MS : PERIODIC_SCAN_MS * (0.9 + Math.random() * 0.2);
    folder.scanTimer = setTimeout(() => this.enqueueScan(folder, 'all'), every);
    folder.scanTimer.unref();
  }

  private setProblem(folder: LiveFolder, problem: LiveFolder['problem']): void {
    folder.problem = problem;
    this.ports.repository.updateFolder(folder.row.id, { problem: problem?.kind ?? null, message: problem?.message ?? null });
    this.stamps.set(folder.row.id, this.ports.repository.folder(folder.row.id)?.updatedAt ?? 0);
  }

  private async unwatch(id: string): Promise<void> {
    const folder = this.live.get(id);
    if (!folder) return;
    this.live.delete(id);
    if (folder.hintTimer) clearTimeout(folder.hintTimer);
    if (folder.scanTimer) clearTimeout(folder.scanTimer);
    await folder.watcher?.close();
    await folder.running.catch(() => {});
  }

  /** Uploads that ended since: their files become synced (or ignored, if cancelled). */
  private settleSoon(): void {
    this.settleTimer ??= setTimeout(() => {
      this.settleTimer = null;
      this.settleHeardOf();
    }, 200);
  }

  /** Every pending file's upload looked at (at start): what ended while no Quire watched. */
  private settleFinished(): void {
    for (const id of this.ports.repository.settleFinishedUploads(Date.now())) this.announce(id);
  }

  private settleHeardOf(): void {
    if (this.finishedUploads.size === 0) return;
    const ids = [...this.finishedUploads];
    this.finishedUploads.clear();
    for (const id of this.ports.repository.settleFinishedUploads(Date.now(), ids)) this.announce(id);
  }

  /**
   * Tells hosts a folder changed, at most once a second (its counts are a query over all its
   * files: 10,000 files verified one by one must not ask it 10,000 times).
   */
  private announce(id: string): void {
    if (this.announcing.has(id)) {
      if (this.announcing.get(id) === null) this.announcing.set(id, setTimeout(() => this.announceNow(id), ANNOUNCE_EVERY_MS));
      return;
    }
    this.announceNow(id);
  }

  private announceNow(id: string): void {
    this.announcing.set(id, null);
    const quiet = setTimeout(() => {
      if (this.announcing.get(id) === null) this.announcing.delete(id);
    }, ANNOUNCE_EVERY_MS);
    quiet.unref();
    const row = this.ports.repository.folder(id);
    if (row) this.ports.events.emit('watch.changed', this.summary(row));
  }
}
