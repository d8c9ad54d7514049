import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { parseCommandInput, type CommandRawInput, type CommandResult } from '../../shared/contract';
import { printable, printableJson } from '../../shared/printable';
import type { EnqueueResult, QueueState, RunResult, UploadStatus, UploadSummary } from '../../shared/upload';
import { uploadStatuses } from '../../shared/uploadStatus';
import { createApiHandlers, dispatch, type ApiHandlers } from '../core/api';
import { Engine } from '../core/engine';
import { forwardEvents } from '../core/events/engineEvents';
import type { EngineSettings } from '../core/settings';
import { QuireError } from '../core/errors';
import { parseDuration, parseSize, splitList } from './cliArgs';
import type { WatchFolderSummary } from '../../shared/watch';
import { printConnections, printWatchFolders, printDetails, printJson, printOrphans, printPreview, printSettings, printSkipped, printUploads } from './output';
import { formatBytes } from '../../shared/format';
import { resolve } from 'node:path';
import { ProgressView } from './progressView';
import { readSecret } from './secretInput';
import { cliVerbs, type CliVerb } from './verbs';
import { CLEANUP_HELP, cleanupCommand } from './cleanupCommand';
import { USAGE_HELP, USAGE_OPTIONS, usageCommand } from './usageCommand';
import { STATS_HELP, STATS_OPTIONS, statsCommand } from './statsCommand';
import { IMAGE_OPTIONS, IMAGE_SETTINGS_USAGE, imageSettingsUpdate, optimizeFlag, printImagePreview } from './imageOptions';
import { serveCommand } from '../web/serveCommand';
import { DEFAULT_WEB_PORT } from '../web/webHost';

const USAGE = `Quire - resumable, verified uploads to DigitalOcean Spaces and S3.

Usage:
  quire connect add NAME --provider digitalocean_spaces|aws_s3|s3_compatible --bucket BUCKET
                         --region REGION --access-key-id KEY [--endpoint URL] [--cdn URL]
                         [--path-style] [--public] [--max-file-size 5GiB] [--allowed-types pdf,mp3]
                         [--default] [--secret-stdin]
  quire connect list | test [NAME] | remove NAME | default NAME
  quire upload PATH... [--to PREFIX] [--type TYPE] [--connection NAME] [--dated-names]
                       [--public|--private] [--overwrite] [--queue-only] [--dry-run]
                       [--optimize|--no-optimize]
                         --dry-run: show each file's key, refusals and objects already
                         in the bucket, and queue nothing
                         --optimize: images get their web set (WebP sizes and a thumbnail,
                         no GPS) before they upload; by default covers, book images, avatars
                         and branding do (quire settings --optimize-types)
  quire images preview FILE [--preset web|print-cover|avatar]
                         what would be made of an image and how large each variant is
  quire queue [--status failed,waiting] [--search TEXT]
                         list uploads and their states
  quire run [--follow]   work the queue to the end (resumes anything interrupted); --follow
                         keeps running and uploads whatever is added, from any shell, until
                         Ctrl-C or SIGTERM
  quire watch add PATH [--to PREFIX] [--type TYPE] [--exclude GLOB]... [--include GLOB]... [--poll]
                   [--sync-deletes [--delete-guard 25%]] [--optimize|--no-optimize]
                         keep a folder in sync: new and changed files are uploaded once they
                         are settled; nothing is deleted remotely unless --sync-deletes, and
                         even then not when over 25% of the files vanish at once (Quire asks:
                         quire watch confirm-deletes ID). --poll for network shares
  quire watch list | pause ID | resume ID | scan ID | confirm-deletes ID | remove ID
  quire show ID          one upload: parts done, the server's UploadId, its requests
  quire browse [PATH]    the folders a browser page of \`quire serve\` can add from
  quire status           what the queue is doing (and whether another Quire drives it)
  quire pause ID... | --all     pause uploads (--all: everything, until resumed)
  quire resume ID... | --all    resume paused uploads (and retry failed ones)
  quire resume --as-is ID...    send images whose set could not be made as they are
  quire cancel ID...     cancel uploads and abort their unfinished server uploads
  quire orphans [--abort [UPLOADID...]] [--older-than 24h]
                         unfinished uploads in the bucket that Quire does not own, with size,
                         age and days left before Spaces deletes them; --abort removes them
  quire settings [--limit-rate 2MiB|0] [--requests-per-second 300] [--part-size 10MiB]
                 [--concurrency 8] ${IMAGE_SETTINGS_USAGE}
                         show or change the saved bandwidth cap, request rate, part size and
                         requests in flight (a running Quire applies them within a second),
                         and how images are prepared
${USAGE_HELP}${STATS_HELP}${CLEANUP_HELP}  quire verify KEY       compare an object with what was uploaded
  quire link KEY [--expires 1h..7d]   a time-limited share link
  quire serve [--port 4780] [--open]   (or the port in QUIRE_PORT; 0: any free one)
                         the app in a browser on this machine: drives the queue like quire run
                         --follow and prints the address to open (with its token);
                         --port 0 takes any free port; --open opens it in the default browser

Options for every command: --json (machine-readable output), --connection NAME.
Transfer options for upload and run: --part-size 10MiB (grown when a file needs more than 10,000
parts), --concurrency 8 (S3 requests in flight; at most 10 parts of one file), --limit-rate 2MiB
(bytes per second, all uploads together), --requests-per-second 300 (per connection; Spaces'
limit for older buckets, raise it for a newer bucket or another server).
The secret key is read from a prompt, from stdin (--secret-stdin) or from QUIRE_SECRET_ACCESS_KEY
(or DO_SPACES_SECRET) - never from a flag. Exit status: 0 all succeeded, 1 some failed, 2 usage error.
`;

const OPTIONS = {
  json: { type: 'boolean' },
  connection: { type: 'string' },
  provider: { type: 'string' },
  bucket: { type: 'string' },
  region: { type: 'string' },
  endpoint: { type: 'string' },
  cdn: { type: 'string' },
  'path-style': { type: 'boolean' },
  public: { type: 'boolean' },
  private: { type: 'boolean' },
  'max-file-size': { type: 'string' },
  'allowed-types': { type: 'string' },
  'access-key-id': { type: 'string' },
  default: { type: 'boolean' },
  'secret-stdin': { type: 'boolean' },
  to: { type: 'string' },
  type: { type: 'string' },
  'dated-names': { type: 'boolean' },
  overwrite: { type: 'boolean' },
  'queue-only': { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  expires: { type: 'string' },
  'part-size': { type: 'string' },
  concurrency: { type: 'string' },
  'limit-rate': { type: 'string' },
  'requests-per-second': { type: 'string' },
  all: { type: 'boolean' },
  abort: { type: 'boolean' },
  'older-than': { type: 'string' },
  include: { type: 'string', multiple: true },
  exclude: { type: 'string', multiple: true },
  poll: { type: 'boolean' },
  'sync-deletes': { type: 'boolean' },
  'delete-guard': { type: 'string' },
  follow: { type: 'boolean' },
  status: { type: 'string' },
  search: { type: 'string' },
  port: { type: 'string' },
  open: { type: 'boolean' },
  'as-is': { type: 'boolean' },
  ...USAGE_OPTIONS,
  ...STATS_OPTIONS,
  remove: { type: 'boolean' },
  ...IMAGE_OPTIONS,
  help: { type: 'boolean', short: 'h' },
} satisfies ParseArgsConfig['options'];

type Flags = ReturnType<typeof parseFlags>['values'];

function parseFlags(argv: string[]) {
  try {
    return parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new QuireError('usage', `${(error as Error).message}\nSee: quire --help`);
  }
}

type VerbCommand<V extends CliVerb> = (typeof cliVerbs)[V];

/** Runs a verb's contract command through `dispatch` and returns its value, or throws its error. */
async function call<V extends CliVerb>(handlers: ApiHandlers, verb: V, input: CommandRawInput<VerbCommand<V>>, signal?: AbortSignal): Promise<CommandResult<VerbCommand<V>>> {
  const outcome = await dispatch(handlers, cliVerbs[verb], input, { signal });
  if (!outcome.ok) throw new QuireError(outcome.error.code, outcome.error.message, { retryable: outcome.error.retryable });
  return outcome.value as CommandResult<VerbCommand<V>>;
}

async function main(argv: string[]): Promise<number> {
  const { values: flags, positionals } = parseFlags(argv);
  const [command, ...rest] = positionals;
  if (flags.help || !command) {
    process.stdout.write(USAGE);
    return command || flags.help ? 0 : 2;
  }
  // For `quire settings`, the transfer flags are the values to save, not this process's own.
  const engine = Engine.open({ settings: command === 'settings' ? {} : transferFlags(flags) });
  const handlers = createApiHandlers(engine);
  // Ctrl-C stops uploads at once and cleanly (every finished part stays recorded, and the next
  // `quire run` resumes); a second Ctrl-C quits without waiting.
  const stop = new AbortController();
  process.once('SIGINT', () => stop.abort(new DOMException('interrupted', 'AbortError')));
  process.once('SIGTERM', () => stop.abort(new DOMException('terminated', 'AbortError')));
  try {
    switch (command) {
      case 'connect':
        return await connect(handlers, rest, flags);
      case 'watch':
        return await watchVerb(handlers, rest, flags);
      case 'upload':
        return await upload(engine, handlers, rest, flags, stop.signal);
      case 'queue': {
        const list = await everyUpload(handlers, flags);
        if (flags.json) printJson(list);
        else printUploads(list);
        // Listing worked: failed uploads among them are what was asked to be shown, not a failure of this command.
        return 0;
      }
      case 'run':
        return flags.follow ? await follow(engine, flags, stop.signal) : await run(engine, handlers, flags, stop.signal);
      case 'show': {
        const details = await call(handlers, 'show', { id: required(rest[0], 'quire show ID') });
        if (flags.json) printJson(details);
        else printDetails(details);
        return 0;
      }
      case 'browse': {
        const listing = await call(handlers, 'browse', { path: rest[0] === undefined ? undefined : resolve(rest[0]) });
        if (flags.json) printJson(listing);
        else for (const entry of listing.entries) process.stdout.write(`${entry.kind === 'folder' ? 'folder' : formatBytes(entry.size).padStart(10)}  ${printable(entry.name)}\n`);
        return 0;
      }
      case 'status': {
        const state = await call(handlers, 'status', {});
        if (flags.json) printJson(state);
        else printQueueState(state);
        return 0;
      }
      case 'resume':
        if (!flags['as-is']) return await pauseOrResume(handlers, command, rest, flags);
        {
          const changed = await call(handlers, 'resume --as-is', uploadTargets(rest, flags, 'quire resume --as-is ID... | --all'));
          if (flags.json) printJson(changed);
          else process.stdout.write(`${changed.length} image(s) go as they are, without their web set. A running Quire picks them up; otherwise: quire run\n`);
          return 0;
        }
      case 'pause':
        return await pauseOrResume(handlers, command, rest, flags);
      case 'images': {
        if (rest[0] !== 'preview') throw new QuireError('usage', 'quire images preview FILE [--preset web|print-cover|avatar]. See: quire --help');
        const preview = await call(handlers, 'images preview', { path: resolve(required(rest[1], 'quire images preview FILE')), preset: flags.preset as never, type: flags.type as never });
        if (flags.json) printJson(preview);
        else printImagePreview(preview);
        return 0;
      }
      case 'cancel': {
        if (rest.length === 0) throw new QuireError('usage', 'Name the uploads to cancel: quire cancel ID... (ids from: quire queue)');
        const cancelled = await call(handlers, 'cancel', { ids: rest });
        if (flags.json) printJson(cancelled);
        else process.stdout.write(`${cancelled.length} upload(s) cancelled; their unfinished uploads on the server are aborted.\n`);
        return 0;
      }
      case 'orphans': {
        const olderThanSeconds = flags['older-than'] ? parseDuration(flags['older-than']) : undefined;
        const report = flags.abort
          ? await call(handlers, 'orphans --abort', { connection: flags.connection, olderThanSeconds, ...(rest.length > 0 ? { s3UploadIds: rest } : {}) })
          : await call(handlers, 'orphans', { connection: flags.connection });
        if (flags.json) printJson(report);
        else printOrphans(report);
        return report.failed.length > 0 ? 1 : 0;
      }
      case 'settings': {
        const update = {
          ...(flags['limit-rate'] !== undefined ? { bandwidthLimit: parseSize(flags['limit-rate']) } : {}),
          ...(flags['requests-per-second'] !== undefined ? { requestsPerSecond: Number(flags['requests-per-second']) } : {}),
          ...(flags['part-size'] !== undefined ? { partSize: parseSize(flags['part-size']) } : {}),
          ...(flags.concurrency !== undefined ? { requestBudget: Number(flags.concurrency) } : {}),
          ...imageSettingsUpdate(flags),
        };
        const settings = Object.keys(update).length > 0 ? await call(handlers, 'settings --limit-rate', update) : await call(handlers, 'settings', {});
        if (flags.json) printJson(settings);
        else printSettings(settings);
        return 0;
      }
      case 'verify': {
        const check = await call(handlers, 'verify', { key: required(rest[0], 'quire verify KEY'), connection: flags.connection });
        if (flags.json) printJson(check);
        else process.stdout.write(`${check.matches ? 'verified' : 'MISMATCH'}  ${printable(check.key)}  ${check.size} bytes  ETag ${check.etag}  SHA-256 ${check.sha256 ?? '(not recorded on the object)'}\n${check.recorded ? `uploaded from ${printable(check.recorded.sourcePath)}\n` : 'not uploaded by Quire from this computer\n'}`);
        return check.matches ? 0 : 1;
      }
      case 'link': {
        const link = await call(handlers, 'link', { key: required(rest[0], 'quire link KEY'), expiresInSeconds: parseDuration(flags.expires ?? '1h'), connection: flags.connection });
        if (flags.json) printJson(link);
        else process.stdout.write(`${link.url}\n(valid until ${new Date(link.expiresAt).toISOString()})\n`);
        return 0;
      }
      case 'cleanup':
        return await cleanupCommand({ list: (input) => call(handlers, 'cleanup temp', input), remove: (input) => call(handlers, 'cleanup temp --remove', input) }, rest, { ...flags, remove: flags.remove });
      case 'stats':
        return await statsCommand((input) => call(handlers, 'stats', input), rest, flags);
      case 'usage':
        return await usageCommand((verb, input) => call(handlers, verb, input as never), flags);
      case 'serve':
        return await serveCommand(engine, { port: webPort(flags.port ?? process.env.QUIRE_PORT), open: flags.open ?? false, rendererDir: RENDERER_DIR, signal: stop.signal });
      default:
        throw new QuireError('usage', `Unknown command "${command}". See: quire --help`);
    }
  } finally {
    await engine.close();
  }
}

async function pauseOrResume(handlers: ApiHandlers, command: 'pause' | 'resume', rest: string[], flags: Flags): Promise<number> {
  const changed = await call(handlers, command, uploadTargets(rest, flags, `quire ${command} ID... | --all`));
  if (flags.json) printJson(changed);
  else process.stdout.write(`${changed.length} upload(s) ${command === 'pause' ? 'paused' : 'resumed'}.${command === 'pause' && flags.all ? ' Nothing starts until: quire resume --all' : ''}${command === 'resume' && changed.length > 0 ? ' A running Quire picks them up; otherwise: quire run' : ''}\n`);
  return 0;
}

/** `quire watch add|list|pause|resume|remove|scan`: the folders the driving Quire keeps in sync. */
async function watchVerb(handlers: ApiHandlers, args: string[], flags: Flags): Promise<number> {
  const [action, target] = args;
  const id = () => ({ id: required(target, `quire watch ${action} ID (ids from: quire watch list)`) });
  let folders: WatchFolderSummary[];
  switch (action) {
    case 'add':
      folders = [
        await call(handlers, 'watch add', {
          path: resolve(required(target, 'quire watch add PATH --to PREFIX')),
          connection: flags.connection,
          to: flags.to,
          type: flags.type as never,
          include: (flags.include ?? []).flatMap((glob) => splitList(glob)),
          exclude: (flags.exclude ?? []).flatMap((glob) => splitList(glob)),
          poll: flags.poll ?? false,
          syncDeletes: flags['sync-deletes'] ?? false,
          deleteGuardPercent: flags['delete-guard'] === undefined ? undefined : Number(flags['delete-guard'].replace(/%$/, '')),
          optimize: optimizeFlag(flags),
        }),
      ];
      break;
    case 'list':
      folders = await call(handlers, 'watch list', {});
      break;
    case 'pause':
      folders = [await call(handlers, 'watch pause', id())];
      break;
    case 'resume':
      folders = [await call(handlers, 'watch resume', id())];
      break;
    case 'scan':
      folders = [await call(handlers, 'watch scan', id())];
      break;
    case 'confirm-deletes':
      folders = [await call(handlers, 'watch confirm-deletes', id())];
      break;
    case 'remove':
      await call(handlers, 'watch remove', id());
      if (!flags.json) process.stdout.write('No longer watched. Nothing was deleted, in the folder or in the bucket.\n');
      return 0;
    default:
      throw new QuireError('usage', 'quire watch add PATH [--to PREFIX] | list | pause ID | resume ID | scan ID | confirm-deletes ID | remove ID. See: quire --help');
  }
  if (flags.json) printJson(action === 'list' ? folders : folders[0]);
  else printWatchFolders(folders);
  if (action === 'add' && !flags.json) process.stdout.write('A running Quire (the app, quire serve, quire run --follow) syncs it from now on; otherwise: quire run\n');
  return 0;
}

async function connect(handlers: ApiHandlers, args: string[], flags: Flags): Promise<number> {
  const [action, name] = args;
  switch (action) {
    case 'add': {
      const connection = {
        name: required(name, 'quire connect add NAME ...'),
        provider: required(flags.provider, '--provider') as 'digitalocean_spaces',
        bucket: required(flags.bucket, '--bucket'),
        region: flags.region ?? (flags.provider === 's3_compatible' ? 'us-east-1' : missing('--region')),
        endpoint: flags.endpoint,
        cdnBaseUrl: flags.cdn,
        pathStyle: flags['path-style'],
        defaultVisibility: flags.public ? ('public-read' as const) : ('private' as const),
        maxFileSize: flags['max-file-size'] ? parseSize(flags['max-file-size']) : undefined,
        allowedFileTypes: splitList(flags['allowed-types']),
        accessKeyId: flags['access-key-id'] ?? process.env.QUIRE_ACCESS_KEY_ID ?? process.env.DO_SPACES_KEY ?? missing('--access-key-id'),
        makeDefault: flags.default ?? false,
      };
      // A malformed connection fails, by the contract's own check, before the author is asked for the secret.
      const check = parseCommandInput('connections.add', { connection });
      if (!check.ok) throw new QuireError('usage', `The connection is not valid: ${check.message}.`);
      const secret = await readSecret({ fromStdin: flags['secret-stdin'] ?? false, prompt: `Secret access key for ${connection.accessKeyId}: ` });
      const saved = await call(handlers, 'connect add', { connection, secret });
      if (flags.json) printJson(saved);
      else process.stdout.write(`Connection "${saved.name}" tested and saved (${saved.bucket} at ${saved.endpoint})${saved.isDefault ? ', the default' : ''}. ${secret ? 'Its secret is in the system keychain.' : 'Its secret stays in the environment and was not stored.'}\n`);
      return 0;
    }
    case 'list': {
      const list = await call(handlers, 'connect list', {});
      if (flags.json) printJson(list);
      else printConnections(list);
      return 0;
    }
    case 'test': {
      const tested = await call(handlers, 'connect test', { name: name ?? flags.connection });
      if (flags.json) printJson(tested);
      else process.stdout.write(`Connection "${tested.name}" works: bucket ${tested.bucket} answers and accepts writes.\n`);
      return 0;
    }
    case 'remove':
      await call(handlers, 'connect remove', { name: required(name, 'quire connect remove NAME') });
      if (!flags.json) process.stdout.write(`Connection "${name}" removed, with its keychain entry.\n`);
      return 0;
    case 'default': {
      const chosen = await call(handlers, 'connect default', { name: required(name, 'quire connect default NAME') });
      if (!flags.json) process.stdout.write(`"${chosen.name}" is now the default connection.\n`);
      return 0;
    }
    default:
      throw new QuireError('usage', 'quire connect add|list|test|remove|default. See: quire --help');
  }
}

async function upload(engine: Engine, handlers: ApiHandlers, paths: string[], flags: Flags, signal: AbortSignal): Promise<number> {
  if (paths.length === 0) throw new QuireError('usage', 'Name the files or folders to upload: quire upload PATH...');
  const request = {
    paths,
    connection: flags.connection,
    to: flags.to,
    type: flags.type as never,
    template: flags['dated-names'] ? ('dated-uuid' as const) : ('keep-name' as const),
    visibility: flags.public ? ('public-read' as const) : flags.private ? ('private' as const) : undefined,
    onConflict: flags.overwrite ? ('overwrite' as const) : ('keep-both' as const),
    optimize: optimizeFlag(flags),
  };
  if (flags['dry-run']) {
    const preview = await call(handlers, 'upload --dry-run', request);
    if (flags.json) printJson(preview);
    else printPreview(preview);
    return preview.rejected.length > 0 ? 1 : 0;
  }
  const result = await call(handlers, 'upload', request);
  for (const rejected of result.rejected) process.stderr.write(`error: ${printable(rejected.error.message)}\n`);
  printSkipped(result.skipped);
  if (flags['queue-only']) {
    if (flags.json) printJson(result);
    else process.stdout.write(`${result.queued.length} file(s) queued. Start them with: quire run\n`);
    return result.rejected.length > 0 ? 1 : 0;
  }
  let code: number;
  try {
    code = await run(engine, handlers, flags, signal, result);
  } catch (error) {
    // Another Quire (the app, `quire run --follow`) drives this queue: it picks these up now.
    if (!(error instanceof QuireError) || error.code !== 'ledger_locked') throw error;
    if (flags.json) printJson({ enqueued: result, drivenElsewhere: true });
    else process.stdout.write(`${result.queued.length} file(s) queued. ${error.message.split(';')[0]}, and uploads them now; follow them with: quire queue\n`);
    code = 0;
  }
  return result.rejected.length > 0 ? 1 : code;
}

/** `quire run`: the queue worked until nothing can move without the author, with a progress view. */
async function run(engine: Engine, handlers: ApiHandlers, flags: Flags, signal: AbortSignal, enqueued?: EnqueueResult): Promise<number> {
  const view = flags.json ? null : new ProgressView();
  // The JSON report covers this command's uploads (queued or worked on now), not the whole
  // history, each as its last event said (a run reports only once every event has been sent).
  const reported = new Map(enqueued?.queued.map((upload) => [upload.id, upload]));
  const stopForwarding = forwardEvents(engine.events, (name, payload) => {
    if (name !== 'upload.changed') return;
    const event = payload as Parameters<ProgressView['update']>[0];
    if (view) view.update(event);
    else reported.set(event.upload.id, event.upload);
  });
  let summary: RunResult;
  try {
    summary = await call(handlers, 'run', {}, signal);
  } finally {
    stopForwarding();
    view?.finish();
  }
  if (flags.json) printJson({ ...(enqueued ? { enqueued } : {}), run: summary, uploads: [...reported.values()].sort((a, b) => a.createdAt - b.createdAt) });
  else {
    const paused = (await call(handlers, 'settings', {})).queuePaused;
    process.stdout.write(
      `${summary.verified} verified, ${summary.failed} failed${summary.waiting ? `, ${summary.waiting} still waiting (run again later)` : ''}${summary.paused ? `, ${summary.paused} paused` : ''}${summary.cancelled ? `, ${summary.cancelled} cancelled` : ''}.${paused ? ' Uploads are paused; continue with: quire resume --all' : ''}\n`,
    );
  }
  return summary.failed > 0 || summary.waiting > 0 ? 1 : 0;
}

/**
 * `quire run --follow`: this process hosts the engine, like the app and `quire serve` do: it
 * drives the queue, uploads whatever any shell adds, and stops cleanly on Ctrl-C or SIGTERM.
 */
async function follow(engine: Engine, flags: Flags, signal: AbortSignal): Promise<number> {
  const view = flags.json ? null : new ProgressView();
  const stopForwarding = forwardEvents(engine.events, (name, payload) => {
    if (flags.json) process.stdout.write(`${printableJson(JSON.stringify({ event: name, payload }))}\n`);
    else if (name === 'upload.changed') view!.update(payload as Parameters<ProgressView['update']>[0]);
    else if (name === 'connection.refused') process.stderr.write(`${printable((payload as { error: { message: string } }).error.message)}\n`);
  });
  try {
    engine.start();
    if (!flags.json) process.stderr.write(`Quire is uploading from ${engine.dataDir}; add files from any shell (quire upload PATH). Ctrl-C stops.\n`);
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await engine.stop();
  } finally {
    stopForwarding();
    view?.finish();
  }
  return 0;
}

/** The whole queue (or its filtered part), a page at a time: the contract never sends it all at once. */
async function everyUpload(handlers: ApiHandlers, flags: Flags): Promise<UploadSummary[]> {
  const status = flags.status ? splitList(flags.status).map((name) => name.toLowerCase()) : undefined;
  const unknown = status?.filter((name) => !(uploadStatuses as readonly string[]).includes(name)) ?? [];
  if (unknown.length > 0) throw new QuireError('usage', `--status takes any of ${uploadStatuses.join(', ')}; not ${unknown.join(', ')}.`);
  const all: UploadSummary[] = [];
  for (let offset = 0; ; ) {
    const page = await call(handlers, 'queue', { status: status as UploadStatus[] | undefined, connection: flags.connection, text: flags.search, offset, limit: 1000 });
    all.push(...page.uploads);
    offset += page.uploads.length;
    if (page.uploads.length === 0 || offset >= page.total) return all;
  }
}

function printQueueState(state: QueueState): void {
  const what: Record<QueueState['state'], string> = {
    stopped: 'no Quire is uploading from this data folder (start one: quire run, or quire run --follow)',
    elsewhere: 'another Quire (the app, or quire run --follow) is uploading from this data folder',
    idle: 'idle: nothing to upload',
    running: 'uploading',
    waiting: 'waiting: nothing can go right now (offline, or retrying later)',
    paused: 'paused (continue with: quire resume --all)',
    halted: 'halted',
  };
  process.stdout.write(`${what[state.state]}\n${state.active} uploading, ${state.pending} queued or waiting\n`);
  for (const endpoint of state.offline) process.stdout.write(`offline: ${endpoint.endpoint}, next try ${new Date(endpoint.nextProbeAt).toISOString()}\n`);
  if (state.halted) process.stdout.write(`${printable(state.halted.message)}\n`);
}

function uploadTargets(ids: string[], flags: Flags, usage: string): { ids: string[] } | { all: true } {
  if (flags.all && ids.length === 0) return { all: true };
  if (!flags.all && ids.length > 0) return { ids };
  throw new QuireError('usage', `Name the uploads (ids from: quire queue) or --all, not both: ${usage}`);
}

/** Flags that tune this run's transfers; unset ones keep the engine's defaults. */
function transferFlags(flags: Flags): Partial<EngineSettings> {
  const settings: Partial<EngineSettings> = {};
  if (flags['part-size']) settings.partSize = parseSize(flags['part-size']);
  if (flags['limit-rate']) settings.bandwidthLimit = parseSize(flags['limit-rate']);
  if (flags['requests-per-second']) {
    const rate = Number(flags['requests-per-second']);
    if (!Number.isInteger(rate) || rate < 1 || rate > 10_000) throw new QuireError('usage', `--requests-per-second takes a whole number from 1 to 10000, not "${flags['requests-per-second']}".`);
    settings.requestsPerSecond = rate;
  }
  if (flags.concurrency) {
    const n = Number(flags.concurrency);
    if (!Number.isInteger(n) || n < 1 || n > 64) throw new QuireError('usage', `--concurrency takes a whole number from 1 to 64, not "${flags.concurrency}".`);
    settings.requestBudget = n;
    // Spaces allows at most 10 concurrent PUTs to one object.
    settings.partsPerObject = Math.min(10, n);
  }
  return settings;
}

/** The built UI `quire serve` serves: out/renderer, beside this bundle's out/main. */
const RENDERER_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'renderer');

function webPort(value: string | undefined): number {
  if (value === undefined) return DEFAULT_WEB_PORT;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65_535) throw new QuireError('usage', `--port takes a port number from 1 to 65535 (or 0 for any free one), not "${value}".`);
  return port;
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined || value === '') missing(what);
  return value;
}

function missing(what: string): never {
  throw new QuireError('usage', `Missing ${what}. See: quire --help`);
}

// `quire queue | head`: the reader has gone, and what is left to print has nobody to read it. A
// command tool ends quietly then, as one killed by SIGPIPE would (the ledger is safe at any exit).
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof QuireError) {
      process.stderr.write(`error: ${printable(error.message)}\n`);
      process.exitCode = error.code === 'usage' ? 2 : 1;
    } else {
      process.stderr.write(`internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    }
  },
);
