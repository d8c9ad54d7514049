import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A fresh folder for real files and real SQLite ledgers, removed when the test worker exits
 * (`npm test` also clears the whole test area at its start, in case a worker was killed).
 */
export function tempDir(label: string): string {
  const dir = mkdtempSync(join(process.env.QUIRE_TEST_TMP ?? tmpdir(), `quire-${label}-`));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
