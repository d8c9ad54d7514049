import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { QuireError } from './errors';

/**
 * Only one process may drive the upload queue at a time: two drivers would upload the same parts
 * twice and race on Complete. Others (a second CLI, the UI of another host) may still read the
 * ledger. The lock is a file holding the owner's PID; a lock whose PID is gone (a crash, a
 * SIGKILL) is stale and taken over, which is exactly the resume-after-crash path.
 */
export class QueueLock {
  private held = false;

  constructor(private readonly dataDir: string) {}

  private get path(): string {
    return join(this.dataDir, 'queue.lock');
  }

  acquire(): void {
    if (this.held) return;
    for (let attempt = 0; attempt < 2; attempt += 1) {
      try {
        const fd = openSync(this.path, 'wx', 0o600);
        writeSync(fd, String(process.pid));
        closeSync(fd);
        this.held = true;
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const owner = this.ownerPid();
        if (owner !== null && owner !== process.pid && isAlive(owner)) {
          throw new QuireError(
            'ledger_locked',
            `Another Quire process (PID ${owner}) is already uploading from this data folder; its queue includes yours. Wait for it, or stop it first.`,
          );
        }
        try {
          unlinkSync(this.path);
        } catch {
          // Another process removed the stale lock first; the retry will tell who won.
        }
      }
    }
    throw new QuireError('ledger_locked', 'Could not take the upload queue lock; try again.', { retryable: true });
  }

  release(): void {
    if (!this.held) return;
    this.held = false;
    if (this.ownerPid() === process.pid) unlinkSync(this.path);
  }

  private ownerPid(): number | null {
    try {
      const pid = Number.parseInt(readFileSync(this.path, 'utf8'), 10);
      return Number.isInteger(pid) && pid > 0 ? pid : null;
    } catch {
      return null;
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
