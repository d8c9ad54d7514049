import { formatBytes } from '../../shared/format';
import type { ConnectionSummary } from '../../shared/connection';
import type { UploadSummary } from '../../shared/upload';

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
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
    process.stdout.write(`${u.id.slice(0, 8)}  ${u.status.padEnd(10)} ${String(progress).padStart(3)}%  ${formatBytes(u.size).padStart(10)}  ${u.objectKey}\n`);
    if (u.error) process.stdout.write(`          ${u.error.message}\n`);
  }
}
