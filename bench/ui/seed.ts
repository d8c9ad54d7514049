import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { ConnectionRepository } from '../../src/main/core/connections/connectionRepository';
import { Engine } from '../../src/main/core/engine';
import { openLedger } from '../../src/main/core/ledger/database';
import { findResourcesDir } from '../../src/main/core/paths';
import type { NewUpload } from '../../src/main/core/upload/uploadRepository';
import type { ConnectionSummary } from '../../src/shared/connection';

const MIB = 1024 * 1024;

/**
 * A data folder whose ledger holds `count` queued uploads of one connection. The connection
 * points at a loopback port where nothing listens and its row is written directly (adding one
 * the usual way tests it live against the bucket); the engine is opened but never started, so
 * nothing is sent and every figure the bench prints is the page's.
 */
export function seedLedger(dataDir: string, count: number): { engine: Engine; connection: ConnectionSummary; ids: string[] } {
  const engine = Engine.open({ dataDir, env: {} });
  const connection: ConnectionSummary = {
    id: randomUUID(),
    name: 'bench',
    provider: 's3_compatible',
    endpoint: 'http://127.0.0.1:9',
    region: 'us-east-1',
    bucket: 'bench-books',
    cdnBaseUrl: null,
    pathStyle: true,
    defaultVisibility: 'private',
    maxFileSize: 5 * 1024 * MIB,
    allowedFileTypes: [],
    accessKeyId: 'BENCHKEY',
    isDefault: true,
  };
  // A second handle on the same ledger file (WAL), only to write the connection row.
  const side = openLedger(dataDir, join(findResourcesDir(), 'migrations'));
  new ConnectionRepository(side).insert(connection);
  side.$client.close();

  const createdAt = Date.now() - count * 1000;
  const rows: NewUpload[] = [];
  for (let i = 0; i < count; i++) {
    const n = String(i + 1).padStart(5, '0');
    // Sizes from a cover to an audiobook chapter, the same every run.
    const size = Math.round(MIB * (0.2 + ((i * 7919) % 400)));
    rows.push({
      id: randomUUID(),
      connectionId: connection.id,
      sourcePath: `/home/author/books/bench/chapter-${n}.pdf`,
      size,
      mtimeMs: createdAt,
      fingerprint: `bench-${n}`,
      objectKey: `books/content/bench/chapter-${n}.pdf`,
      contentType: 'application/pdf',
      category: 'manuscript',
      visibility: 'private',
      onConflict: 'keep-both',
      status: 'queued',
      method: size > 10 * MIB ? 'multipart' : 'single',
      // Manuscripts: no image set owed or made of them.
      optimize: null,
      imageSetId: null,
      variant: null,
      originPath: null,
      metadata: null,
      createdAt: createdAt + i,
    });
  }
  engine.uploads.insertAll(rows);
  return { engine, connection, ids: rows.map((r) => r.id) };
}
