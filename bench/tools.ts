import { mkdir, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { REFERENCE_NAME, type BenchConfig, type RunnerName } from './config';
import { lastLine, runChild, type Invocation } from './measure';

/** One tool pointed at one endpoint and bucket, with its own fresh state (config, data folder). */
export interface ToolSession {
  /** Uploads one file to `prefix/<file name>`. */
  uploadFile(file: string, prefix: string, concurrency: number): Invocation;
  /** Uploads a folder to `prefix/<folder name>/...`. */
  uploadFolder(folder: string, prefix: string, concurrency: number): Invocation;
  /** What a user runs after the upload of `file` was killed: Quire resumes, the others start over. */
  rerunAfterKill(file: string, prefix: string, concurrency: number): Invocation;
}

export interface Tool {
  name: RunnerName;
  label: string;
  version(): Promise<string>;
  /** The flags that set part size and concurrency, printed under the table so a reader can check them. */
  describe(config: BenchConfig): string;
  open(endpoint: string, bucket: string, stateDir: string): Promise<ToolSession>;
}

/**
 * The environment every tool starts from: this machine's, minus anything that could steer a tool
 * away from the bench's own settings (AWS_CA_BUNDLE set for HTTPS breaks rclone's SDK with
 * "LoadCustomCABundleError"; AWS_PROFILE or RCLONE_* would change what is measured). No proxies:
 * all traffic is to 127.0.0.1.
 */
export function baseEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(AWS_|RCLONE_|QUIRE_|DO_SPACES_)/.test(key) || /^(https?|all|no)_proxy$/i.test(key)) continue;
    env[key] = value;
  }
  return { ...env, CI: 'true', NO_PROXY: '127.0.0.1' };
}

function quire(config: BenchConfig): Tool {
  // The rivals send as fast as the server takes it; Quire's request pacer (300/s by default, a
  // Spaces limit this local server does not have) is raised to its maximum to match.
  const flags = (concurrency: number) => ['--part-size', `${config.partSizeMiB}MiB`, '--concurrency', String(concurrency), '--requests-per-second', '10000', '--json'];
  return {
    name: 'quire',
    label: 'Quire',
    async version() {
      // The last commit that touched src/ is the engine measured; uncommitted edits are flagged.
      const git = await runChild('git', ['-C', config.repoRoot, 'log', '-1', '--format=%h', '--', 'src'], process.env, 10_000);
      const dirty = await runChild('git', ['-C', config.repoRoot, 'status', '--porcelain', '--', 'src'], process.env, 10_000);
      const node = await runChild(join(config.repoRoot, 'node_modules', 'node', 'bin', 'node'), ['--version'], process.env, 10_000);
      return `src @ ${git.stdout.trim() || '?'}${dirty.stdout.trim() ? ' + uncommitted changes' : ''}, Node ${node.stdout.trim() || '?'}`;
    },
    // --concurrency is the request budget: small files fill it (one request each); large files
    // are at most 3 at once, each with at most 10 parts in flight.
    describe: (c) =>
      `\`quire upload PATH --to PREFIX/ --part-size ${c.partSizeMiB}MiB --concurrency ${c.bigConcurrency}|${c.smallConcurrency} --requests-per-second 10000 --json\` (the pacer's default, 300/s, is Spaces' limit; the rivals are unpaced); resume: \`quire run\` with the same flags`,
    async open(endpoint, bucket, stateDir) {
      const session = await openQuire(config, endpoint, bucket, stateDir);
      return {
        uploadFile: (file, prefix, n) => session.invoke(['upload', file, '--to', `${prefix}/`, ...flags(n)]),
        uploadFolder: (folder, prefix, n) => session.invoke(['upload', folder, '--to', `${prefix}/`, ...flags(n)]),
        // The ledger in QUIRE_HOME remembers the interrupted upload; `run` picks it up where the server says it stopped.
        rerunAfterKill: (_file, _prefix, n) => session.invoke(['run', ...flags(n)]),
      };
    },
  };
}

/** A Quire with a fresh data folder, connected (as its default) to `bucket` at `endpoint`: any command line can be run in it. */
export interface QuireSession {
  invoke(args: string[]): Invocation;
}

export async function openQuire(config: BenchConfig, endpoint: string, bucket: string, stateDir: string): Promise<QuireSession> {
  const bin = join(config.repoRoot, 'bin', 'quire');
  const { s3 } = config;
  // A fresh data folder per session: an empty ledger, so no run benefits from an earlier one.
  const home = join(stateDir, 'quire-home');
  await mkdir(home, { recursive: true });
  // Credentials only in the environment: `connect add` then stores no secret anywhere.
  const env = { ...baseEnv(), QUIRE_HOME: home, QUIRE_ACCESS_KEY_ID: s3.accessKeyId, QUIRE_SECRET_ACCESS_KEY: s3.secretAccessKey };
  const add = await runChild(
    bin,
    ['connect', 'add', 'bench', '--provider', 's3_compatible', '--endpoint', endpoint, '--region', s3.region, '--bucket', bucket, '--access-key-id', s3.accessKeyId, '--path-style', '--default'],
    env,
    60_000,
  );
  if (add.exitCode !== 0) throw new Error(`quire connect add failed (exit ${add.exitCode}): ${lastLine(add.stderr)}`);
  return { invoke: (args) => ({ command: bin, args, env }) };
}

export const RCLONE_BIN = '/usr/bin/rclone';
// The Debian package's v2 by absolute path: a pyenv shim puts an AWS CLI v1 first on PATH.
export const AWS_BIN = '/usr/bin/aws';

/**
 * rclone's remote `bench:` pointed at `endpoint`, defined by environment variables only; with
 * `--config ""` on the command line the config stays in memory, so ~/.config/rclone is never read.
 */
export function rcloneEnv(config: BenchConfig, endpoint: string): NodeJS.ProcessEnv {
  const { s3 } = config;
  return {
    ...baseEnv(),
    RCLONE_CONFIG_BENCH_TYPE: 's3',
    RCLONE_CONFIG_BENCH_PROVIDER: 'Ceph',
    RCLONE_CONFIG_BENCH_ENDPOINT: endpoint,
    RCLONE_CONFIG_BENCH_ACCESS_KEY_ID: s3.accessKeyId,
    RCLONE_CONFIG_BENCH_SECRET_ACCESS_KEY: s3.secretAccessKey,
    RCLONE_CONFIG_BENCH_REGION: s3.region,
    RCLONE_CONFIG_BENCH_FORCE_PATH_STYLE: 'true',
  };
}

/**
 * The AWS CLI's own config and credentials files in `stateDir` (the CLI reads transfer settings
 * only from its config file, so one config per concurrency), and the environment that uses them.
 */
export async function awsEnv(config: BenchConfig, stateDir: string, concurrency: number): Promise<NodeJS.ProcessEnv> {
  const { s3 } = config;
  await mkdir(stateDir, { recursive: true });
  const credentials = join(stateDir, 'aws-credentials');
  await writeFile(credentials, `[default]\naws_access_key_id = ${s3.accessKeyId}\naws_secret_access_key = ${s3.secretAccessKey}\n`);
  const configFile = join(stateDir, `aws-config-${concurrency}`);
  await writeFile(
    configFile,
    `[default]\nregion = ${s3.region}\ns3 =\n  multipart_chunksize = ${config.partSizeMiB}MB\n  multipart_threshold = ${config.partSizeMiB}MB\n  max_concurrent_requests = ${concurrency}\n  addressing_style = path\n`,
  );
  return {
    ...baseEnv(),
    AWS_CONFIG_FILE: configFile,
    AWS_SHARED_CREDENTIALS_FILE: credentials,
    AWS_PAGER: '',
    // Harmless on 2.9 (which sends no trailing CRC32), needed by newer CLIs against radosgw 16.
    AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
  };
}

function rclone(config: BenchConfig): Tool {
  const bin = RCLONE_BIN;
  // --s3-upload-cutoff = part size, so the big file goes multipart in part-size chunks like the others.
  // --no-check-dest: the destination is known empty, so rclone skips listing/HEADing it first (its
  // fastest safe mode for a fresh copy). rclone's own integrity checks stay on (MD5 per part and for
  // the whole object, a HEAD after each upload), as Quire verifies too.
  const common = ['--s3-chunk-size', `${config.partSizeMiB}M`, '--s3-upload-cutoff', `${config.partSizeMiB}M`, '--no-check-dest', '--s3-no-check-bucket', '--stats', '0', '-q'];
  // Big file: one transfer, N parts of it in flight. Small files: N transfers, one request each.
  const bigFlags = (n: number) => [...common, '--transfers', '1', '--s3-upload-concurrency', String(n)];
  const smallFlags = (n: number) => [...common, '--transfers', String(n), '--checkers', String(n), '--s3-upload-concurrency', '1'];
  return {
    name: 'rclone',
    label: 'rclone',
    async version() {
      const run = await runChild(bin, ['version'], baseEnv(), 10_000);
      return run.stdout.split('\n')[0]?.trim() ?? 'rclone ?';
    },
    describe: (c) =>
      `\`rclone copy\` with \`--s3-chunk-size ${c.partSizeMiB}M --s3-upload-cutoff ${c.partSizeMiB}M --no-check-dest --s3-no-check-bucket\`; big: \`--transfers 1 --s3-upload-concurrency ${c.bigConcurrency}\`; small: \`--transfers ${c.smallConcurrency} --checkers ${c.smallConcurrency}\``,
    async open(endpoint, bucket) {
      const env = rcloneEnv(config, endpoint);
      const copy = (source: string, dest: string, flags: string[]): Invocation => ({ command: bin, args: ['--config', '', 'copy', source, `bench:${bucket}/${dest}`, ...flags], env });
      return {
        uploadFile: (file, prefix, n) => copy(file, prefix, bigFlags(n)),
        uploadFolder: (folder, prefix, n) => copy(folder, `${prefix}/${basename(folder)}`, smallFlags(n)),
        rerunAfterKill: (file, prefix, n) => copy(file, prefix, bigFlags(n)),
      };
    },
  };
}

function aws(config: BenchConfig): Tool {
  const bin = AWS_BIN;
  return {
    name: 'aws',
    label: 'AWS CLI',
    async version() {
      const run = await runChild(bin, ['--version'], baseEnv(), 30_000);
      return (run.stdout || run.stderr).trim().split(' ')[0] ?? 'aws ?';
    },
    describe: (c) =>
      `\`aws s3 cp [--recursive] --endpoint-url ... --only-show-errors --no-progress\`; config: \`multipart_chunksize = ${c.partSizeMiB}MB\`, \`multipart_threshold = ${c.partSizeMiB}MB\`, \`max_concurrent_requests = ${c.bigConcurrency}|${c.smallConcurrency}\`, \`addressing_style = path\``,
    async open(endpoint, bucket, stateDir) {
      const envs = new Map<number, NodeJS.ProcessEnv>();
      for (const n of [config.bigConcurrency, config.smallConcurrency]) envs.set(n, await awsEnv(config, stateDir, n));
      const env = (n: number): NodeJS.ProcessEnv => envs.get(n) ?? envs.get(config.bigConcurrency)!;
      const quiet = ['--endpoint-url', endpoint, '--only-show-errors', '--no-progress'];
      const cpFile = (file: string, prefix: string, n: number): Invocation => ({ command: bin, args: ['s3', 'cp', file, `s3://${bucket}/${prefix}/${basename(file)}`, ...quiet], env: env(n) });
      return {
        uploadFile: cpFile,
        uploadFolder: (folder, prefix, n) => ({ command: bin, args: ['s3', 'cp', folder, `s3://${bucket}/${prefix}/${basename(folder)}/`, '--recursive', ...quiet], env: env(n) }),
        rerunAfterKill: cpFile,
      };
    },
  };
}

/**
 * bench/bareClient.ts, bundled with esbuild into the work folder on first use and run by the
 * project's Node: Quire's requests without Quire's bookkeeping, for the small files only.
 */
export function bareReference(config: BenchConfig): Tool {
  const node = join(config.repoRoot, 'node_modules', 'node', 'bin', 'node');
  const bundle = join(config.workDir, 'bareClient.mjs');
  let built: Promise<void> | null = null;
  const build = async () => {
    const esbuild = join(config.repoRoot, 'node_modules', '.bin', 'esbuild');
    const run = await runChild(esbuild, [join(config.repoRoot, 'bench', 'bareClient.ts'), '--bundle', '--platform=node', '--format=esm', '--log-level=warning', `--outfile=${bundle}`], baseEnv(), 120_000);
    if (run.exitCode !== 0) throw new Error(`could not bundle bench/bareClient.ts: ${lastLine(run.stderr)}`);
  };
  const { s3 } = config;
  return {
    name: REFERENCE_NAME,
    label: 'Bare requests (reference)',
    async version() {
      const run = await runChild(node, ['--version'], process.env, 10_000);
      return `Quire's ObjectWriter, Node ${run.stdout.trim() || '?'}`;
    },
    describe: (c) => `\`node bareClient.mjs FOLDER PREFIX ${c.smallConcurrency}\`: every file read whole, hashed and PUT through Quire's ObjectWriter with Quire's headers, ${c.smallConcurrency} in flight; no ledger, no queue, no retries (the small files only)`,
    async open(endpoint, bucket) {
      built ??= build();
      await built;
      const env = { ...baseEnv(), BARE_ENDPOINT: endpoint, BARE_REGION: s3.region, BARE_BUCKET: bucket, BARE_ACCESS_KEY_ID: s3.accessKeyId, BARE_SECRET_ACCESS_KEY: s3.secretAccessKey };
      const onlySmallFiles = (): never => {
        throw new Error('the bare reference runs only the small files');
      };
      return {
        uploadFile: onlySmallFiles,
        uploadFolder: (folder, prefix, n) => ({ command: node, args: [bundle, folder, prefix, String(n)], env }),
        rerunAfterKill: onlySmallFiles,
      };
    },
  };
}

export function makeTools(config: BenchConfig): Tool[] {
  const all = { quire: quire(config), rclone: rclone(config), aws: aws(config) };
  return config.tools.map((name) => all[name]);
}
