import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Engine } from '../../src/main/core/engine';
import type { EngineSettings } from '../../src/main/core/settings';
import type { ConnectionSummary } from '../../src/shared/connection';
import type { UploadChangedEvent } from '../../src/shared/upload';
import { connectionSettings } from './connectionSettings';
import { writeTestFile } from './files';
import { ScriptedBucket } from './scriptedBucket';
import { tempDir } from './tempDir';
import { waitFor } from './waitFor';

const ENV = { QUIRE_ACCESS_KEY_ID: 'SCRIPTEDKEY', QUIRE_SECRET_ACCESS_KEY: 'scripted-secret' };

/** A clock the test moves by hand: retry and probe times pass without waiting for them. */
export class ManualClock {
  constructor(public ms = Date.now()) {}
  readonly now = () => this.ms;
  advance(ms: number): void {
    this.ms += ms;
  }
}

export interface ScriptedWorld {
  bucket: ScriptedBucket;
  clock: ManualClock;
  dataDir: string;
  files: string;
  engine: Engine;
  connection: ConnectionSummary;
  events: UploadChangedEvent[];
  /** A file of `size` bytes, queued; returns its upload id. */
  queue(name: string, size: number): Promise<string>;
  /** Closes the engine and opens another over the same ledger and bucket: a restart. */
  restart(): Promise<void>;
  /** Waits (real time, briefly) until the upload's row satisfies `check`. */
  until(id: string, what: string, check: (row: NonNullable<ReturnType<Engine['uploads']['get']>>) => boolean): Promise<void>;
}

/**
 * The fast tier's world: a real engine over a real SQLite ledger and real files, with a scripted
 * bucket behind its gateway port and a clock moved by hand. Closed when the test finishes.
 */
export async function openScriptedWorld(onTestFinished: (cleanup: () => void | Promise<void>) => void, settings: Partial<EngineSettings> = {}, bucketOptions: { maxAttempts?: number } = {}): Promise<ScriptedWorld> {
  const home = tempDir('scripted');
  const dataDir = join(home, 'data');
  const files = join(home, 'files');
  await mkdir(files, { recursive: true });
  const bucket = new ScriptedBucket(bucketOptions);
  const clock = new ManualClock();
  const events: UploadChangedEvent[] = [];
  const open = () => {
    const engine = Engine.open({ dataDir, env: ENV, settings: { multipartThreshold: 1024 * 1024, ...settings }, gatewayFactory: bucket.factory, clock: clock.now });
    engine.events.on('upload.changed', (event) => events.push(event));
    // The scripted tier moves made-up bytes ("cover.jpg" of 300 sevens): images go as they are.
    engine.updateSettings({ imageOptimize: [] });
    return engine;
  };
  const world: ScriptedWorld = {
    bucket,
    clock,
    dataDir,
    files,
    events,
    engine: open(),
    connection: null as unknown as ConnectionSummary,
    async queue(name, size) {
      const path = join(files, name);
      if (size < 1024) await writeFile(path, Buffer.alloc(size, 7));
      else await writeTestFile(path, size);
      const { queued, rejected } = await world.engine.enqueue({ paths: [path] });
      if (rejected.length > 0) throw new Error(rejected[0]!.error.message);
      return queued[0]!.id;
    },
    async restart() {
      await world.engine.close();
      world.engine = open();
    },
    async until(id, what, check) {
      await waitFor(what, () => {
        const row = world.engine.uploads.get(id);
        return row !== null && check(row);
      }, 10_000, 5);
    },
  };
  onTestFinished(() => world.engine.close());
  world.connection = await world.engine.connections.add(
    connectionSettings({ name: 'scripted', provider: 's3_compatible', endpoint: 'http://127.0.0.1:9', region: 'us-east-1', bucket: 'books', accessKeyId: ENV.QUIRE_ACCESS_KEY_ID, pathStyle: true }),
    { kind: 'environment' },
  );
  return world;
}
