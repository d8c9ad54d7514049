import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

/** A fresh folder removed after the test file: real files, real SQLite, nothing shared between files. */
export function tempDir(label: string): string {
  const dir = mkdtempSync(join(process.env.QUIRE_TEST_TMP ?? tmpdir(), `quire-${label}-`));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
