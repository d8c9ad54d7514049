import { imageSettingsLines } from './imageOptions';
import { formatBytes } from '../../shared/format';
import type { ConnectionSummary } from '../../shared/connection';
import type { OrphanReport } from '../../shared/orphans';
import type { Settings } from '../../shared/settings';
import { printable, printableJson } from '../../shared/printable';
import type { SkippedEntry, UploadDetails, UploadPreview, UploadSummary } from '../../shared/upload';
import type { WatchFolderSummary } from '../../shared/watch';

export function printJson(value: unknown): void {
  process.stdout.write(`${printableJson(JSON.stringify(value, null, 2))}\n`);
}

/** Entries of a dropped folder left out by rule (links, special files): said, not silently dropped. */
export function printSkipped(skipped: SkippedEntry[]): void {
  for (const entry of skipped) process.stderr.write(`skipped ${printable(entry.path)}: ${printable(entry.reason)}\n`);
}

export function printConnections(list: ConnectionSummary[]): void {
  if (list.length === 0) {
    process.stdout.write('No connections yet. Add one with: quire connect add NAME --provider digitalocean_spaces --region nyc3 --bucket BUCKET --access-key-id KEY\n');
    return;
  }
  for (const c of list) {
    process.stdout.write(`${c.isDefault ? '*' : ' '} ${c.name.padEnd(20)} ${c.provider.padEnd(20)} ${c.bucket} @ ${c.endpoint} (${c.region})${c.cdnBaseUrl ? `  CDN ${c.cdnBaseUrl}` : ''}\n`);
  }
}

export function printUploads(list: UploadSummary[]): void {
  if (list.length === 0) {
    process.stdout.write('The queue is empty.\n');
    return;
  }
  for (const u of list) {
    const progress = u.size === 0 ? 100 : Math.floor((u.bytesDone / u.size) * 100);
    process.stdout.write(`${u.id.slice(0, 8)}  ${u.status.padEnd(10)} ${String(progress).padStart(3)}%  ${formatBytes(u.size).padStart(10)}  ${printable(u.objectKey)}\n`);
    if (u.error) process.stdout.write(`          ${printable(u.error.message)}\n`);
  }
}

export function printOrphans(report: OrphanReport): void {
  if (report.orphans.length === 0) {
    process.stdout.write(`No unfinished uploads in "${report.connection}" that Quire does not own.\n`);
    return;
  }
  for (const orphan of report.orphans) {
    const hours = orphan.ageMs / 3_600_000;
    const age = hours < 48 ? `${hours.toFixed(1)} h` : `${Math.floor(hours / 24)} days`;
    const gone = report.aborted.some((a) => a.s3UploadId === orphan.s3UploadId) ? '  aborted' : '';
    process.stdout.write(`${formatBytes(orphan.size).padStart(10)}  ${String(orphan.parts).padStart(5)} parts  ${age.padStart(9)} old  ${String(orphan.daysUntilProviderDeletes).padStart(2)} days before Spaces deletes it  ${printable(orphan.key)}${gone}\n`);
  }
  const total = report.orphans.reduce((sum, orphan) => sum + orphan.size, 0);
  process.stdout.write(`${report.orphans.length} unfinished upload(s), ${formatBytes(total)} billed until aborted.`);
  if (report.aborted.length > 0 || report.failed.length > 0) process.stdout.write(` ${report.aborted.length} aborted.`);
  else process.stdout.write(' Abort those over 24 hours old with: quire orphans --abort');
  process.stdout.write('\n');
  for (const failure of report.failed) process.stdout.write(`could not abort ${printable(failure.orphan.key)}: ${printable(failure.message)}\n`);
}

export function printSettings(settings: Settings): void {
  process.stdout.write(`bandwidth limit      ${settings.bandwidthLimit === 0 ? 'none' : `${formatBytes(settings.bandwidthLimit)}/s`}\n`);
  process.stdout.write(`requests per second  ${settings.requestsPerSecond}\n`);
  process.stdout.write(`part size            ${formatBytes(settings.partSize)}\n`);
  process.stdout.write(`requests in flight   ${settings.requestBudget}\n`);
  process.stdout.write(`large files at once  ${settings.filesAtOnce}\n`);
  process.stdout.write(`queue                ${settings.queuePaused ? 'paused (quire resume --all)' : 'running'}\n`);
  process.stdout.write(`${imageSettingsLines(settings)}\n`);
  const onOff = (on: boolean) => (on ? 'on' : 'off');
  process.stdout.write(`desktop app          notifications ${onOff(settings.notifications)}, closing keeps it in the tray ${onOff(settings.closeKeepsRunning)}, open at login ${onOff(settings.openAtLogin)}\n`);
}

/** `quire upload --dry-run`: each file's key as it would be queued, and what would stop or surprise. */
export function printPreview(preview: UploadPreview): void {
  for (const file of preview.files) {
    const existing = file.existing
      ? file.existing.keptAs
        ? `  (an object is already there: kept, this one goes to ${printable(file.existing.keptAs)})`
        : '  (replaces the object already there)'
      : file.existingUnknown
        ? '  (the bucket could not be asked whether the key is free)'
        : '';
    process.stdout.write(`${formatBytes(file.size).padStart(10)}  ${printable(file.objectKey)}${existing}\n`);
  }
  for (const rejected of preview.rejected) process.stdout.write(`refused: ${printable(rejected.error.message)}\n`);
  printSkipped(preview.skipped);
  const { quota } = preview;
  if (quota.stateAfter !== 'normal') {
    const after = quota.usedBytes + quota.addedBytes;
    process.stdout.write(
      `quota: with these files ${formatBytes(after)} of ${formatBytes(quota.quotaBytes)} (${Math.round((after / quota.quotaBytes) * 100)}%)${quota.overByBytes > 0 ? `, OVER by ${formatBytes(quota.overByBytes)}` : ` - ${quota.stateAfter}`}; raise it with quire usage --quota SIZE\n`,
    );
  }
  process.stdout.write(`${preview.files.length} file(s) would be queued, ${preview.rejected.length} refused. Nothing was queued.\n`);
}

/** `quire show ID`: one upload, with its server session and the requests made for it. */
export function printDetails(details: UploadDetails): void {
  const u = details.upload;
  process.stdout.write(`${u.id}  ${u.status}  ${printable(u.objectKey)}\n`);
  process.stdout.write(`from ${printable(u.sourcePath)}, ${formatBytes(u.bytesDone)} of ${formatBytes(u.size)}, ${u.attempts} retried request(s)\n`);
  if (details.serverUploadId) process.stdout.write(`multipart UploadId ${printable(details.serverUploadId)}: ${details.partsDone} of ${details.partCount} parts of ${formatBytes(details.partSize ?? 0)} done\n`);
  if (u.notice) process.stdout.write(`${printable(u.notice)}\n`);
  if (u.error) process.stdout.write(`${printable(u.error.message)}\n`);
  for (const op of details.log.slice(0, 20)) {
    process.stdout.write(`  ${new Date(op.at).toISOString()}  ${op.operation.padEnd(18)} ${String(op.httpStatus ?? '-').padStart(3)}  ${formatBytes(op.bytesSent).padStart(10)}  ${op.durationMs} ms${op.errorCode ? `  ${op.errorCode}` : ''}\n`);
  }
}

/** `quire watch list`: each folder, where it goes, and what it is doing. */
export function printWatchFolders(folders: WatchFolderSummary[]): void {
  if (folders.length === 0) {
    process.stdout.write('No watch folders. Add one with: quire watch add PATH --to PREFIX\n');
    return;
  }
  for (const folder of folders) {
    const where = folder.to ?? '(each type under its own folder)';
    process.stdout.write(`${folder.id.slice(0, 8)}  ${folder.state.padEnd(11)} ${printable(folder.path)} -> ${printable(folder.connection)}: ${printable(where)}\n`);
    const { synced, pending, ignored, missing } = folder.files;
    process.stdout.write(`          ${synced} synced, ${pending} pending, ${ignored} ignored, ${missing} gone from the folder${folder.lastScanAt ? `; last scan ${new Date(folder.lastScanAt).toISOString()}` : ''}\n`);
    if (folder.syncDeletes) process.stdout.write(`          deletes in the folder are deleted in the bucket (held when over ${folder.deleteGuardPercent}% vanish at once${folder.deletesHeld ? `; ${folder.deletesHeld} held now` : ''})\n`);
    if (folder.message) process.stdout.write(`          ${printable(folder.message)}\n`);
  }
}
