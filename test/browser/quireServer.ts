import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runQuire, startQuire } from '../support/quireCli';
import { createTestBucket, testS3 } from '../support/s3Server';

export interface ConnectionOptions {
  /** Default "radosgw". */
  name?: string;
  /** Objects public-read, with a CDN base URL (default: the bucket's own URL, path style). */
  publicRead?: boolean;
  /** Bytes. */
  maxFileSize?: number;
  /** Extensions without the dot: ["pdf", "wav"]. */
  allowedFileTypes?: string[];
  cdnBaseUrl?: string;
  /** Make it the default connection (the first one added is the default anyway). */
  makeDefault?: boolean;
}

export interface AddedConnection {
  name: string;
  /** A new bucket on the test S3 server, made for this connection. */
  bucket: string;
  /** What copied CDN URLs start with, for a public connection. */
  cdnBaseUrl: string | undefined;
}

export interface CliOutcome {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * One `quire serve` for one test, on a data folder of its own: the real CLI, started as an author
 * starts it, found by the address it prints. The page opens `url`; a restart prints a new token,
 * so after `restart()` the page must open `url` again (reloading the old page answers 401).
 */
export class QuireServer {
  url = '';
  origin = '';
  port = 0;
  readonly dataDir: string;
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  /** Everything every run printed, attached to the test's report when it fails. */
  log = '';

  constructor() {
    const parent = process.env.QUIRE_TEST_TMP ?? tmpdir();
    mkdirSync(parent, { recursive: true });
    this.dataDir = mkdtempSync(join(parent, 'quire-pw-'));
  }

  /** Starts `quire serve` and waits for the address it prints. Port 0 picks a free one. */
  async start(port = 0): Promise<void> {
    if (this.child) throw new Error('quire serve is already running for this test');
    const { child, done } = startQuire(this.dataDir, ['serve', '--port', String(port)]);
    this.child = child;
    this.exited = done.then((result) => {
      this.log += `[quire serve ended: ${result.signal ?? `exit ${result.code}`}]\n`;
      if (this.child === child) this.child = null;
    });
    const address = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`quire serve printed no address within 30 s:\n${this.log}`)), 30_000);
      let stdout = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        this.log += chunk.toString();
        const match = /Quire is at (http:\/\/\S+)/.exec(stdout);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      });
      child.stderr!.on('data', (chunk: Buffer) => (this.log += chunk.toString()));
      void done.then(() => {
        clearTimeout(timer);
        reject(new Error(`quire serve ended before it printed its address:\n${this.log}`));
      });
    });
    const url = new URL(address);
    this.url = address;
    this.origin = url.origin;
    this.port = Number(url.port);
  }

  /** SIGKILL: the process dies at once, mid-upload if it was uploading (the crash a resume must survive). */
  async kill(): Promise<void> {
    this.child?.kill('SIGKILL');
    await this.exited;
  }

  /** Stops cleanly (SIGTERM, as Ctrl-C), or kills it after 15 s. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await this.exited;
    clearTimeout(killer);
  }

  /**
   * Starts `quire serve` again on the same data folder (stopping it cleanly first if it runs),
   * on the same port when it is free, so the page's origin stays the same; the token is new.
   */
  async restart(): Promise<void> {
    await this.stop();
    try {
      await this.start(this.port);
    } catch {
      await this.start(0);
    }
  }

  /** Runs `quire ARGS` on this data folder (beside the running serve, as a second shell would). */
  async cli(args: string[], options: { input?: string } = {}): Promise<CliOutcome> {
    const result = await runQuire(this.dataDir, args, { input: options.input });
    return { code: result.code ?? -1, stdout: result.stdout, stderr: result.stderr };
  }

  /**
   * Adds a connection to a new bucket on the test S3 server (radosgw, or QUIRE_S3_*) through
   * `quire connect add`, which tests it; its secret goes to the keychain by stdin.
   */
  async addConnection(options: ConnectionOptions = {}): Promise<AddedConnection> {
    const s3 = testS3();
    const bucket = await createTestBucket(s3, 'pw');
    const name = options.name ?? 'radosgw';
    const cdnBaseUrl = options.cdnBaseUrl ?? (options.publicRead ? `${s3.endpoint.replace(/\/+$/, '')}/${bucket}` : undefined);
    const args = ['connect', 'add', name, '--provider', 's3_compatible', '--endpoint', s3.endpoint, '--region', s3.region, '--bucket', bucket, '--path-style', '--access-key-id', s3.accessKeyId, '--secret-stdin'];
    if (options.publicRead) args.push('--public');
    if (cdnBaseUrl) args.push('--cdn', cdnBaseUrl);
    if (options.maxFileSize !== undefined) args.push('--max-file-size', String(options.maxFileSize));
    if (options.allowedFileTypes) args.push('--allowed-types', options.allowedFileTypes.join(','));
    if (options.makeDefault) args.push('--default');
    const result = await this.cli(args, { input: `${s3.secretAccessKey}\n` });
    if (result.code !== 0) throw new Error(`quire connect add ${name} failed (${result.code}):\n${result.stderr}${result.stdout}`);
    return { name, bucket, cdnBaseUrl };
  }

  /** After the test: stopped (killed if it hangs) and its data folder removed. */
  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
