import { statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import { QuireError } from '../errors';

/**
 * SQLite's answers that mean "the ledger cannot be written right now" (better-sqlite3 puts the
 * extended result code in `code`). When the ledger cannot record a finished part, sending more
 * parts would only create work a restart cannot account for, so the queue stops taking work.
 */
const DISK_FULL = /^SQLITE_FULL/;
const UNWRITABLE = /^SQLITE_(READONLY|IOERR|CANTOPEN|PERM|CORRUPT|NOTADB)/;

export function ledgerFailure(error: unknown, ledgerPath: string): QuireError | null {
  if (error instanceof QuireError) return error.code === 'disk_full' || error.code === 'ledger_unwritable' ? error : null;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return null;
  if (DISK_FULL.test(code) || code === 'ENOSPC' || (UNWRITABLE.test(code) && diskIsFull(ledgerPath))) {
    return new QuireError(
      'disk_full',
      `The disk holding Quire's ledger (${ledgerPath}) is full, so uploads stopped. Nothing recorded was lost: free some space, then run the queue again and it resumes where it stopped.`,
      { retryable: true, cause: error },
    );
  }
  if (UNWRITABLE.test(code) || code === 'EROFS' || code === 'EACCES') {
    return new QuireError(
      'ledger_unwritable',
      `Quire cannot write its ledger (${ledgerPath}): ${code}. Uploads stopped and nothing recorded was lost; check that the folder is writable (or set QUIRE_HOME to one that is), then run the queue again.`,
      { retryable: true, cause: error },
    );
  }
  return null;
}

/**
 * SQLite reports a full disk as SQLITE_FULL only when it knows; growing its shared-memory file
 * on a full disk comes back as a plain I/O error. The free space tells the two apart.
 */
function diskIsFull(ledgerPath: string): boolean {
  try {
    const fs = statfsSync(dirname(ledgerPath));
    return fs.bavail * fs.bsize < 1024 * 1024;
  } catch {
    return false;
  }
}
