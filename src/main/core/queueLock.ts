import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { QuireError } from './errors';

/**
 * How long a process wanting to drive waits for the lock before saying another has it: long
 * enough to outlast a `quire status` looking at the lock for a moment, short enough to answer at once.
 */
const ACQUIRE_PATIENCE_MS = 300;

/**
 * Only one process may drive the upload queue of a data folder at a time: two drivers would send
 * the same parts twice and race on Complete. Others (a second `quire`, another host's UI) still
 * read and steer through the ledger.
 *
 * The lock is a kernel lock, not a PID in a file: an open SQLite transaction on `driver.lock`
 * (an fcntl lock on POSIX, LockFileEx on Windows). The kernel drops it the moment the holder
 * dies, however it dies (crash, SIGKILL, power cut, reboot), so a stale lock cannot exist and a
 * PID reused after a reboot cannot fool it. `queue.owner` beside it only names the holder in the
 * message another process shows; nothing trusts it. (Quire before this wrote its PID into
 * `queue.lock`; that file is left alone and means nothing now.)
 */
export class QueueLock {
  private handle: Database.Database | null = null;

  constructor(private readonly dataDir: string) {}

  /** Takes the lock, or throws `ledger_locked` naming the process that has it. Holding it already is fine. */
  acquire(): void {
    if (this.handle) return;
    this.handle = this.take(ACQUIRE_PATIENCE_MS);
    try {
      writeFileSync(this.ownerPath, JSON.stringify({ pid: process.pid, since: Date.now() }), { mode: 0o600 });
    } catch {
      // Only used to name this process in another's message; a full disk must not stop the queue.
    }
  }

  /** Is another process holding the lock right now? (Takes and drops it at once when nobody does.) */
  heldElsewhere(): boolean {
    if (this.handle) return false;
    try {
      this.take(0).close();
      return false;
    } catch (error) {
      if (error instanceof QuireError && error.code === 'ledger_locked') return true;
      throw error;
    }
  }

  release(): void {
    if (!this.handle) return;
    this.handle.close();
    this.handle = null;
  }

  /**
   * An exclusive lock, waiting at most `patienceMs` for another holder to let go. Nothing is
   * written (the file stays empty and its journal stays in memory), so a full disk cannot stop a
   * restart from taking it. The transaction stays open, and so the lock held, until the handle closes.
   */
  private take(patienceMs: number): Database.Database {
    const handle = new Database(join(this.dataDir, 'driver.lock'), { timeout: patienceMs });
    try {
      handle.pragma('journal_mode = MEMORY');
      handle.exec('BEGIN EXCLUSIVE');
      return handle;
    } catch (error) {
      handle.close();
      if ((error as { code?: string }).code !== 'SQLITE_BUSY') throw error;
      throw new QuireError(
        'ledger_locked',
        `Another Quire${this.ownerDescription()} is already uploading from this data folder; its queue includes yours and it picks up what you add. Wait for it, or stop it first.`,
      );
    }
  }

  private get ownerPath(): string {
    return join(this.dataDir, 'queue.owner');
  }

  private ownerDescription(): string {
    try {
      const { pid } = JSON.parse(readFileSync(this.ownerPath, 'utf8')) as { pid?: unknown };
      return Number.isInteger(pid) ? ` process (PID ${pid as number})` : ' process';
    } catch {
      return ' process';
    }
  }
}
