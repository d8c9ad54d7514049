import { z } from 'zod';
import { connectionInputSchema, type ConnectionSummary } from './connection';
import type { ErrorData } from './errors';
import { commandNames, eventNames, type CommandName, type EventName } from './channels';
import type { OrphanReport } from './orphans';
import { settingsUpdateSchema, type SettingsReport } from './settings';
import { plainIssues } from './plainIssues';
import {
  enqueueInputSchema,
  uploadListInputSchema,
  type ConnectionRefusedEvent,
  type EnqueueResult,
  type QueueState,
  type RunResult,
  type UploadChangedEvent,
  type UploadPage,
  type UploadDetails,
  type UploadPreview,
  type UploadSummary,
} from './upload';
import type { AppShowEvent } from './desktop';
import { browseInputSchema, type BrowseResult } from './files';
import { imagePreviewInputSchema, type ImagePreview } from './images';
import { tempListInputSchema, tempRemoveInputSchema, type TempRemoval, type TempReport } from './cleanup';
import { usageCancelInputSchema, usageInputSchema, usageQuotaInputSchema, usageScanInputSchema, type UsageReport } from './usage';
import { watchAddInputSchema, watchTargetSchema, type WatchFolderSummary } from './watch';
import { uploadStatuses } from './uploadStatus';
import { analyticsInputSchema, type AnalyticsReport } from './analytics';

/**
 * The one contract between the engine and every host: command name -> input schema and result
 * type; event name -> payload. The Electron IPC handlers, the preload's allow-list, the web
 * host's routes, the browser client and the CLI all derive from this map, so a command is added
 * here once. Inputs are parsed with these schemas at every boundary.
 */

const optionalConnection = z.string().min(1).max(64).optional();
/** A presigned link lasts at most 7 days (SigV4, and Spaces' own control panel). */
export const MAX_LINK_SECONDS = 7 * 24 * 3600;
const LINK_LIFETIME = 'a share link lasts from 1 second to 7 days (the longest S3 and Spaces allow)';

export interface ObjectCheck {
  key: string;
  size: number;
  etag: string;
  sha256: string | null;
  recorded: { sourcePath: string; size: number; sha256: string | null; etag: string | null } | null;
  matches: boolean;
}

/** Upload ids as the ledger makes them (UUIDs), or the first 4+ characters `quire queue` shows. */
const uploadId = z.string().regex(/^[0-9a-f-]{4,36}$/i, 'is not an upload id (see: quire queue)');
/** Which uploads an action is for: some by id, every one, or every one in some statuses ("retry all failed"). */
const uploadTargets = z.union([
  z.object({ ids: z.array(uploadId).min(1).max(10_000) }),
  z.object({ all: z.literal(true) }),
  z.object({ status: z.array(z.enum(uploadStatuses)).min(1).max(uploadStatuses.length) }),
]);
const orphanAbortInput = z.object({
  connection: optionalConnection,
  olderThanSeconds: z.number().int().min(0).max(365 * 24 * 3600).optional(),
  /** Only these (S3 UploadIds, as listed): the author aborts one, or a few; still only unowned ones under Quire's folders. */
  s3UploadIds: z.array(z.string().min(1).max(1024)).min(1, 'name at least one unfinished upload').max(1000).optional(),
});

function command<I extends z.ZodType, R>(input: I) {
  return { input, result: undefined as unknown as R };
}

export const commands = {
  'connections.list': command<z.ZodObject<{}>, ConnectionSummary[]>(z.object({})),
  // The secret crosses into the main process once, to reach the keychain; it never comes back.
  // Without one, the engine takes the keys from the environment (headless use) and stores nothing.
  'connections.add': command<z.ZodObject<{ connection: typeof connectionInputSchema; secret: z.ZodOptional<z.ZodString> }>, ConnectionSummary>(
    z.object({ connection: connectionInputSchema, secret: z.string().min(1, 'the secret access key is required').max(256).optional() }),
  ),
  'connections.test': command<z.ZodObject<{ name: typeof optionalConnection }>, ConnectionSummary>(z.object({ name: optionalConnection })),
  'connections.remove': command<z.ZodObject<{ name: z.ZodString }>, null>(z.object({ name: z.string().min(1).max(64) })),
  'connections.setDefault': command<z.ZodObject<{ name: z.ZodString }>, ConnectionSummary>(z.object({ name: z.string().min(1).max(64) })),
  // What an enqueue of the same input would do, asking the bucket which keys are taken; queues nothing.
  'uploads.preview': command<typeof enqueueInputSchema, UploadPreview>(enqueueInputSchema),
  'uploads.enqueue': command<typeof enqueueInputSchema, EnqueueResult>(enqueueInputSchema),
  'uploads.list': command<typeof uploadListInputSchema, UploadPage>(uploadListInputSchema),
  'uploads.details': command<z.ZodObject<{ id: typeof uploadId }>, UploadDetails>(z.object({ id: uploadId })),
  // Drives the queue (when no host does yet) until nothing is left to do now, and says how it went.
  'queue.run': command<z.ZodObject<{}>, RunResult>(z.object({})),
  'queue.state': command<z.ZodObject<{}>, QueueState>(z.object({})),
  'uploads.pause': command<typeof uploadTargets, UploadSummary[]>(uploadTargets),
  'uploads.resume': command<typeof uploadTargets, UploadSummary[]>(uploadTargets),
  'uploads.cancel': command<typeof uploadTargets, UploadSummary[]>(uploadTargets),
  // Images whose set could not be made (or that the author wants unchanged) are sent as they are.
  'uploads.asIs': command<typeof uploadTargets, UploadSummary[]>(uploadTargets),
  // What the prepare stage makes of one image (really made, into the cache) and how large each variant is.
  'images.preview': command<typeof imagePreviewInputSchema, ImagePreview>(imagePreviewInputSchema),
  'orphans.list': command<z.ZodObject<{ connection: typeof optionalConnection }>, OrphanReport>(z.object({ connection: optionalConnection })),
  'orphans.abort': command<typeof orphanAbortInput, OrphanReport>(orphanAbortInput),
  'settings.get': command<z.ZodObject<{}>, SettingsReport>(z.object({})),
  'settings.update': command<typeof settingsUpdateSchema, SettingsReport>(settingsUpdateSchema),
  'objects.verify': command<z.ZodObject<{ key: z.ZodString; connection: typeof optionalConnection }>, ObjectCheck>(
    z.object({ key: z.string().min(1).max(1024), connection: optionalConnection }),
  ),
  'objects.link': command<z.ZodObject<{ key: z.ZodString; expiresInSeconds: z.ZodNumber; connection: typeof optionalConnection }>, { url: string; expiresAt: number }>(
    z.object({
      key: z.string().min(1).max(1024),
      expiresInSeconds: z
        .number()
        .int()
        .min(1, LINK_LIFETIME)
        .max(MAX_LINK_SECONDS, LINK_LIFETIME),
      connection: optionalConnection,
    }),
  ),
  'files.browse': command<typeof browseInputSchema, BrowseResult>(browseInputSchema),
  // Watch folders: kept in the ledger; the process that drives the queue watches them.
  'watch.add': command<typeof watchAddInputSchema, WatchFolderSummary>(watchAddInputSchema),
  'watch.list': command<z.ZodObject<{}>, WatchFolderSummary[]>(z.object({})),
  'watch.pause': command<typeof watchTargetSchema, WatchFolderSummary>(watchTargetSchema),
  'watch.resume': command<typeof watchTargetSchema, WatchFolderSummary>(watchTargetSchema),
  // Stops watching; nothing is deleted, in the folder or in the bucket.
  'watch.remove': command<typeof watchTargetSchema, null>(watchTargetSchema),
  // Looks at the folder now (the driving process does at its next tick), instead of at the next periodic scan.
  'watch.scan': command<typeof watchTargetSchema, WatchFolderSummary>(watchTargetSchema),
  // The author confirms deletions the guard held (too many files vanished at once): they go now.
  'watch.confirmDeletes': command<typeof watchTargetSchema, WatchFolderSummary>(watchTargetSchema),
  // What a connection's bucket holds and costs: the last scan, kept current by Quire's uploads since.
  'usage.get': command<typeof usageInputSchema, UsageReport>(usageInputSchema),
  // Lists the bucket to count it (going on from where a scan cut off stopped); the app follows usage.changed.
  'usage.scan': command<typeof usageScanInputSchema, UsageReport>(usageScanInputSchema),
  'usage.cancelScan': command<typeof usageCancelInputSchema, UsageReport>(usageCancelInputSchema),
  'usage.setQuota': command<typeof usageQuotaInputSchema, UsageReport>(usageQuotaInputSchema),
  // Objects under temp/ over a day old; removed only as confirmed, each checked again first.
  'temp.list': command<typeof tempListInputSchema, TempReport>(tempListInputSchema),
  'temp.remove': command<typeof tempRemoveInputSchema, TempRemoval>(tempRemoveInputSchema),
  // How the author's uploads go over a range of whole UTC days (src/shared/analytics.ts), from the ledger.
  'stats.get': command<typeof analyticsInputSchema, AnalyticsReport>(analyticsInputSchema),
} as const satisfies Record<CommandName, { input: z.ZodType; result: unknown }>;

export type Commands = typeof commands;
// Every listed name has a schema (the `satisfies` above) and every schema a listed name (below).
type Unlisted = Exclude<keyof Commands, CommandName>;
const everySchemaIsListed: Unlisted extends never ? true : never = true;
void everySchemaIsListed;
export type CommandInput<K extends CommandName> = z.output<Commands[K]['input']>;
export type CommandRawInput<K extends CommandName> = z.input<Commands[K]['input']>;
export type CommandResult<K extends CommandName> = Commands[K]['result'];

export interface Events {
  'upload.changed': UploadChangedEvent;
  'queue.state': QueueState;
  'connection.refused': ConnectionRefusedEvent;
  'watch.changed': WatchFolderSummary;
  'usage.changed': UsageReport;
  'app.show': AppShowEvent;
}
// Every event name has a payload type.
const everyEventTyped: Exclude<EventName, keyof Events> extends never ? true : never = true;
void everyEventTyped;

export { commandNames, eventNames, type CommandName, type EventName };

/**
 * Parses a command's input from outside (IPC, WebSocket, CLI flags): the one place inputs are
 * validated, with messages as plain as the engine's.
 */
export function parseCommandInput<K extends CommandName>(name: K, input: unknown): { ok: true; value: CommandInput<K> } | { ok: false; message: string } {
  const parsed = commands[name].input.safeParse(input ?? {});
  if (parsed.success) return { ok: true, value: parsed.data as CommandInput<K> };
  return { ok: false, message: plainIssues(parsed.error.issues) };
}

/** Errors cross every boundary as data: Electron keeps only `message` of a thrown error. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: ErrorData };

/** What the UI talks to, whichever transport (Electron preload or WebSocket) carries it. */
export interface AppApi {
  invoke<K extends CommandName>(name: K, input: CommandRawInput<K>): Promise<Outcome<CommandResult<K>>>;
  on<E extends EventName>(name: E, listener: (payload: Events[E]) => void): () => void;
}
