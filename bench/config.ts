import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

/** The tools the bench knows, in the order their columns appear. */
export const TOOL_NAMES = ['quire', 'rclone', 'aws'] as const;
export type ToolName = (typeof TOOL_NAMES)[number];
/** The small-file reference (bench/bareClient.ts): measured beside the tools, not a column of the table. */
export const REFERENCE_NAME = 'bare';
export type RunnerName = ToolName | typeof REFERENCE_NAME;

/**
 * What a bench run can measure: the comparison of the tools (`tools`), the kill at 50% (`kill`),
 * Quire in a storm of SlowDown answers (`storm`), Quire under a bandwidth cap (`cap`), a
 * watch folder of many small files synced, synced again and followed (`watch`) and photos
 * prepared for the web by Quire's image pool and by vipsthumbnail (`images`, no S3 server) and
 * the analytics queries over a year of heavy use (`analytics`, no S3 server).
 */
export const SCENARIOS = ['tools', 'kill', 'storm', 'cap', 'watch', 'images', 'analytics', 'usage'] as const;
export type Scenario = (typeof SCENARIOS)[number];

export const MIB = 1024 * 1024;
export const GIB = 1024 * MIB;

/**
 * Everything one bench run is parameterised by. Defaults are the workloads; the env
 * variables exist so a developer on a shared 2-core machine can run a small version
 * (BENCH_BIG_MIB=64 BENCH_SMALL_FILES=50 BENCH_REPS=1) without editing anything.
 */
export interface BenchConfig {
  reps: number;
  bigBytes: number;
  smallFiles: number;
  smallBytes: number;
  /** Same part size for every tool, in MiB (Quire "10MiB", rclone "10M", AWS CLI "10MB": all 2^20-based). */
  partSizeMiB: number;
  bigConcurrency: number;
  smallConcurrency: number;
  tools: ToolName[];
  /** What this run measures (`--only`, less `--no-kill`, `--no-storm`, `--no-cap`). */
  scenarios: Set<Scenario>;
  /** Whether to run the kill-at-50%-and-rerun measurement (one run per tool, through a counting proxy). */
  kill: boolean;
  /**
   * The SlowDown storm: Quire uploads `smallFiles` × `smallBytes` and one `bigBytes` file through
   * the fault proxy, once clean and once with `fraction` of all requests answered 503 SlowDown,
   * `reps` times each; the target is storm time < `target` × clean time.
   */
  storm: { smallFiles: number; smallBytes: number; bigBytes: number; fraction: number; reps: number; target: number };
  /** The bandwidth cap: Quire uploads a file of `bytesPerSecond` × `seconds` capped at `bytesPerSecond`; the target is within 10%. */
  cap: { bytesPerSecond: number; seconds: number };
  /**
   * The watch folder (bench/watch.ts): a tree of `folders` × `filesPerFolder` files of
   * `fileBytes`, first synced by Quire (`quire watch add` + `quire run`), the bare reference,
   * `rclone copy` and `aws s3 sync` at `concurrency` requests, each `reps` times; then synced
   * again with nothing changed; then `quire run --follow` idle for `idleSeconds` and timed
   * noticing `noticeTries` new files of each kind.
   */
  watch: { folders: number; filesPerFolder: number; fileBytes: number; concurrency: number; reps: number; idleSeconds: number; noticeTries: number; profileDir: string | null };
  /**
   * The images (bench/images.ts): `count` generated photos of `width`×`height`, prepared with the
   * web preset by Quire's image pool (native build, cold cache, `reps` times; then once warm; then
   * the wasm build once unless `wasm` is false) and by `vipsthumbnail`, `streams` images at a time.
   * `worker`: the pool runs the built worker (out/main/imageWorker.js, what Quire ships) or its source through tsx.
   */
  images: { count: number; width: number; height: number; reps: number; streams: number; wasm: boolean; worker: 'built' | 'source' };
  /**
   * The analytics (bench/analytics.ts): a ledger of `days` days of heavy use with `operations`
   * requests, each query timed `reps` times, before and after rolling up requests older than
   * `retentionDays` days; the target is under `targetMs` per query for the full range.
   */
  analytics: { operations: number; days: number; retentionDays: number; reps: number; targetMs: number };
  /**
   * The usage scan (bench/usage.ts): buckets of `objects` and `smallObjects` small objects over the
   * book layout (filled once per bench S3 server, `fillConcurrency` PUTs at once), each counted by
   * `quire usage --refresh`, `rclone size` and `aws s3 ls --recursive --summarize`, `reps` times.
   */
  usage: { objects: number; smallObjects: number; reps: number; fillConcurrency: number; repeatScans: number; profileDir: string | null };
  /** Whether to run the small-file reference (bare requests, no bookkeeping) beside the tools. */
  reference: boolean;
  /** A limit per tool invocation, so a hung tool fails its cell instead of hanging the bench. */
  timeoutMs: number;
  /** Free text printed under the table (e.g. "machine shared with a test run"). */
  note: string;
  s3: { endpoint: string; region: string; accessKeyId: string; secretAccessKey: string; serverDir: string };
  workDir: string;
  resultsFile: string;
  repoRoot: string;
}

const USAGE = `npm run bench [-- --reps N --big-mib N --small-files N --small-kib N --tools quire,rclone,aws
                     --only tools,kill,storm,cap,watch,images,analytics,usage --no-kill --no-storm --no-cap --no-watch --no-images --no-analytics --no-usage
                     --no-reference --note TEXT]
Each flag also reads an env variable: BENCH_REPS, BENCH_BIG_MIB, BENCH_SMALL_FILES, BENCH_SMALL_KIB,
BENCH_TOOLS, BENCH_ONLY, BENCH_KILL=0, BENCH_STORM=0, BENCH_CAP=0, BENCH_WATCH=0, BENCH_IMAGES=0, BENCH_ANALYTICS=0, BENCH_USAGE=0, BENCH_REFERENCE=0,
BENCH_NOTE, BENCH_TIMEOUT_S. Flags win over env. The storm and the cap read BENCH_STORM_REPS (default:
--reps), BENCH_STORM_FRACTION (0.3), BENCH_CAP_MIB (2, MiB/s) and BENCH_CAP_SECONDS (60). The watch
folder reads BENCH_WATCH_FOLDERS (1000), BENCH_WATCH_FILES (10 per folder), BENCH_WATCH_KIB (64),
BENCH_WATCH_REPS (1), BENCH_WATCH_IDLE_S (30), BENCH_WATCH_NOTICE (3 new files of each kind) and
BENCH_WATCH_PROFILE=DIR (CPU profiles of Quire's syncs there; its figures then include the profiler).
The images read BENCH_IMAGES_COUNT (20 photos of 6000×4000), BENCH_IMAGES_REPS (3), BENCH_IMAGES_STREAMS
(vipsthumbnail's parallel images; default: one per CPU), BENCH_IMAGES_WASM=0 (leaves out the wasm build) and
BENCH_IMAGES_WORKER=source (Quire's image workers from source through tsx, not the build in out/).
The analytics read BENCH_ANALYTICS_OPS (1000000 requests over a year) and BENCH_ANALYTICS_REPS (5 timed runs per query).
The usage scan reads BENCH_USAGE_OBJECTS (100000), BENCH_USAGE_SMALL (10000, the bucket that shows memory against the count),
BENCH_USAGE_REPS (3), BENCH_USAGE_FILL (64 PUTs at once while the buckets are filled, once per S3 server),
BENCH_USAGE_REPEAT (4 scans of the large bucket by one process) and BENCH_USAGE_PROFILE=DIR (CPU profiles of Quire's scans there; its figures then include the profiler).
BENCH_ONLY=storm npm run bench   # the SlowDown storm alone, in about a minute
BENCH_ONLY=cap npm run bench     # the bandwidth cap alone
BENCH_ONLY=watch npm run bench   # the watch folder alone (10,000 files), in a few minutes
BENCH_ONLY=images npm run bench  # the images alone (no S3 server), in a few minutes
BENCH_ONLY=analytics npm run bench  # the analytics queries alone (no S3 server), in about a minute
BENCH_ONLY=usage npm run bench   # the usage scan alone (fills 110,000 objects on a new server: minutes)`;

export function loadConfig(argv: string[], env: NodeJS.ProcessEnv = process.env): BenchConfig {
  const { values } = parseArgs({
    args: argv,
    options: {
      reps: { type: 'string' },
      'big-mib': { type: 'string' },
      'small-files': { type: 'string' },
      'small-kib': { type: 'string' },
      tools: { type: 'string' },
      only: { type: 'string' },
      'no-kill': { type: 'boolean' },
      'no-storm': { type: 'boolean' },
      'no-cap': { type: 'boolean' },
      'no-watch': { type: 'boolean' },
      'no-images': { type: 'boolean' },
      'no-analytics': { type: 'boolean' },
      'no-usage': { type: 'boolean' },
      'no-reference': { type: 'boolean' },
      note: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const repoRoot = join(import.meta.dirname, '..');
  const tools = (values.tools ?? env.BENCH_TOOLS ?? TOOL_NAMES.join(','))
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  for (const tool of tools) if (!(TOOL_NAMES as readonly string[]).includes(tool)) fail(`unknown tool "${tool}" (known: ${TOOL_NAMES.join(', ')})`);
  const only = (values.only ?? env.BENCH_ONLY ?? SCENARIOS.join(','))
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  for (const name of only) if (!(SCENARIOS as readonly string[]).includes(name)) fail(`unknown scenario "${name}" (known: ${SCENARIOS.join(', ')})`);
  const scenarios = new Set(only as Scenario[]);
  if (values['no-kill'] ?? env.BENCH_KILL === '0') scenarios.delete('kill');
  if (values['no-storm'] ?? env.BENCH_STORM === '0') scenarios.delete('storm');
  if (values['no-cap'] ?? env.BENCH_CAP === '0') scenarios.delete('cap');
  if (values['no-watch'] ?? env.BENCH_WATCH === '0') scenarios.delete('watch');
  if (values['no-images'] ?? env.BENCH_IMAGES === '0') scenarios.delete('images');
  if (values['no-analytics'] ?? env.BENCH_ANALYTICS === '0') scenarios.delete('analytics');
  if (values['no-usage'] ?? env.BENCH_USAGE === '0') scenarios.delete('usage');
  // The kill measurement is a row of the tools' table.
  if (!scenarios.has('tools')) scenarios.delete('kill');
  const reps = positiveInt('reps', values.reps ?? env.BENCH_REPS ?? '5');
  const fraction = Number(env.BENCH_STORM_FRACTION ?? '0.3');
  if (!(fraction >= 0 && fraction < 1)) fail(`BENCH_STORM_FRACTION must be at least 0 and below 1, not "${env.BENCH_STORM_FRACTION}"`);
  const capMiB = Number(env.BENCH_CAP_MIB ?? '2');
  if (!(capMiB > 0)) fail(`BENCH_CAP_MIB must be above 0, not "${env.BENCH_CAP_MIB}"`);
  return {
    // Five: client and server share 2 cores here and a single run varies by ±10%; the median
    // of three moved the throughput ratio across its 1.2× target from one bench to the next.
    reps,
    bigBytes: positiveInt('big-mib', values['big-mib'] ?? env.BENCH_BIG_MIB ?? '1024') * MIB,
    smallFiles: positiveInt('small-files', values['small-files'] ?? env.BENCH_SMALL_FILES ?? '1000'),
    smallBytes: positiveInt('small-kib', values['small-kib'] ?? env.BENCH_SMALL_KIB ?? '64') * 1024,
    partSizeMiB: 10,
    bigConcurrency: 8,
    smallConcurrency: 16,
    tools: tools as ToolName[],
    scenarios,
    kill: scenarios.has('kill'),
    // The storm: 200 small files and a 100 MiB file, 30% of requests answered SlowDown.
    storm: { smallFiles: 200, smallBytes: 64 * 1024, bigBytes: 100 * MIB, fraction, reps: positiveInt('BENCH_STORM_REPS', env.BENCH_STORM_REPS ?? String(reps)), target: 5 },
    // The cap the tests used to hold for a minute (2 MiB/s): long enough that a start-up burst or
    // a slow last part cannot hide a cap that drifts.
    cap: { bytesPerSecond: Math.round(capMiB * MIB), seconds: positiveInt('BENCH_CAP_SECONDS', env.BENCH_CAP_SECONDS ?? '60') },
    // The watch folder: 10,000 files of 64 KiB in 1,000 folders (a book's assets), each
    // tool once by default (the whole section is four uploads of 640 MiB in small files).
    watch: {
      folders: positiveInt('BENCH_WATCH_FOLDERS', env.BENCH_WATCH_FOLDERS ?? '1000'),
      filesPerFolder: positiveInt('BENCH_WATCH_FILES', env.BENCH_WATCH_FILES ?? '10'),
      fileBytes: positiveInt('BENCH_WATCH_KIB', env.BENCH_WATCH_KIB ?? '64') * 1024,
      concurrency: 16,
      reps: positiveInt('BENCH_WATCH_REPS', env.BENCH_WATCH_REPS ?? '1'),
      idleSeconds: positiveInt('BENCH_WATCH_IDLE_S', env.BENCH_WATCH_IDLE_S ?? '30'),
      noticeTries: positiveInt('BENCH_WATCH_NOTICE', env.BENCH_WATCH_NOTICE ?? '3'),
      // A folder for V8 CPU profiles of Quire's first sync and restart (read them with bench/cpuProfile.ts).
      profileDir: env.BENCH_WATCH_PROFILE ? resolve(env.BENCH_WATCH_PROFILE) : null,
    },
    // The images: 20 photos of 24 MP (a book's worth of photographs), the web preset.
    images: {
      count: positiveInt('BENCH_IMAGES_COUNT', env.BENCH_IMAGES_COUNT ?? '20'),
      width: 6000,
      height: 4000,
      reps: positiveInt('BENCH_IMAGES_REPS', env.BENCH_IMAGES_REPS ?? '3'),
      // vipsthumbnail one image per core, as the goal states it.
      streams: positiveInt('BENCH_IMAGES_STREAMS', env.BENCH_IMAGES_STREAMS ?? String(Math.max(1, cpus().length))),
      wasm: env.BENCH_IMAGES_WASM !== '0',
      worker: env.BENCH_IMAGES_WORKER === 'source' ? 'source' : 'built',
    },
    // The figure: a year of heavy use, 1 M requests, each query under 100 ms.
    analytics: {
      operations: positiveInt('BENCH_ANALYTICS_OPS', env.BENCH_ANALYTICS_OPS ?? '1000000'),
      days: 365,
      retentionDays: 90,
      reps: positiveInt('BENCH_ANALYTICS_REPS', env.BENCH_ANALYTICS_REPS ?? '5'),
      targetMs: 100,
    },
    // The bucket: 100,000 objects, and a tenth of it to show memory does not follow the count.
    usage: {
      objects: positiveInt('BENCH_USAGE_OBJECTS', env.BENCH_USAGE_OBJECTS ?? '100000'),
      smallObjects: positiveInt('BENCH_USAGE_SMALL', env.BENCH_USAGE_SMALL ?? '10000'),
      reps: positiveInt('BENCH_USAGE_REPS', env.BENCH_USAGE_REPS ?? '3'),
      fillConcurrency: positiveInt('BENCH_USAGE_FILL', env.BENCH_USAGE_FILL ?? '64'),
      // One process scanning the large bucket this many times: memory against the objects listed, past the first scan.
      repeatScans: positiveInt('BENCH_USAGE_REPEAT', env.BENCH_USAGE_REPEAT ?? '4'),
      profileDir: env.BENCH_USAGE_PROFILE ? resolve(env.BENCH_USAGE_PROFILE) : null,
    },
    reference: !(values['no-reference'] ?? env.BENCH_REFERENCE === '0'),
    timeoutMs: positiveInt('BENCH_TIMEOUT_S', env.BENCH_TIMEOUT_S ?? '900') * 1000,
    note: values.note ?? env.BENCH_NOTE ?? '',
    s3: needsS3(scenarios)
      ? {
          // bench/run.sh starts radosgw and exports these from `scripts/s3-server.sh env`.
          endpoint: required(env, 'QUIRE_S3_ENDPOINT'),
          region: env.QUIRE_S3_REGION ?? 'nyc3',
          accessKeyId: required(env, 'QUIRE_S3_ACCESS_KEY_ID'),
          secretAccessKey: required(env, 'QUIRE_S3_SECRET_ACCESS_KEY'),
          serverDir: required(env, 'BENCH_S3_DIR'),
        }
      : { endpoint: '', region: '', accessKeyId: '', secretAccessKey: '', serverDir: '' },
    workDir: env.BENCH_WORK ?? join(repoRoot, 'bench', '.work'),
    resultsFile: join(repoRoot, 'bench', 'results', 'latest.md'),
    repoRoot,
  };
}

/** Scenarios that need no S3 server: alone, bench/run.sh starts none for them. */
export const WITHOUT_S3: ReadonlySet<Scenario> = new Set(['images', 'analytics']);

/** Every scenario but the images and the analytics talks to the S3 server. */
export function needsS3(scenarios: Set<Scenario>): boolean {
  return [...scenarios].some((scenario) => !WITHOUT_S3.has(scenario));
}

function positiveInt(name: string, raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) fail(`${name} must be a whole number ≥ 1, not "${raw}"`);
  return n;
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) fail(`${name} is not set: run the bench with \`npm run bench\` (bench/run.sh starts radosgw and sets it)`);
  return value;
}

function fail(message: string): never {
  process.stderr.write(`bench: ${message}\n${USAGE}\n`);
  process.exit(2);
}
