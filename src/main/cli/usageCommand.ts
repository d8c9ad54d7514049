import { formatBytes } from '../../shared/format';
import { printable } from '../../shared/printable';
import type { UsageReport } from '../../shared/usage';
import { QuireError } from '../core/errors';
import { parseSize } from './cliArgs';
import { printJson } from './output';

export type UsageVerb = 'usage' | 'usage --refresh' | 'usage --cancel' | 'usage --quota';

export interface UsageFlags {
  connection?: string;
  refresh?: boolean;
  cancel?: boolean;
  quota?: string;
  egress?: string;
  json?: boolean;
}

export const USAGE_OPTIONS = {
  refresh: { type: 'boolean' },
  cancel: { type: 'boolean' },
  quota: { type: 'string' },
  egress: { type: 'string' },
} as const;

export const USAGE_HELP = `  quire usage [--refresh] [--cancel] [--quota 500GiB|default] [--egress 100] [--connection NAME]
                         what the bucket holds per area of the layout, its quota and the month's
                         cost; --refresh lists the bucket now (going on from a scan cut off),
                         --egress assumes that many GiB downloaded a month
`;

/** `quire usage`: the bucket's figures, after a scan when asked for one. */
export async function usageCommand(call: (verb: UsageVerb, input: object) => Promise<UsageReport>, flags: UsageFlags): Promise<number> {
  const egressGiB = flags.egress === undefined ? undefined : Number(flags.egress);
  if (egressGiB !== undefined && !(egressGiB >= 0)) throw new QuireError('usage', `--egress is the GiB downloaded a month, a number (got ${printable(flags.egress ?? '')}).`);
  const connection = flags.connection;
  if (flags.quota !== undefined) await call('usage --quota', { connection, quotaBytes: flags.quota === 'default' ? null : parseSize(flags.quota) });
  if (flags.cancel) await call('usage --cancel', { connection });
  if (flags.refresh) {
    if (!flags.json) process.stderr.write('Listing the bucket (Ctrl-C stops; the next --refresh goes on from there)...\n');
    await call('usage --refresh', { connection, wait: true });
  }
  const report = await call('usage', { connection, egressGiB });
  if (flags.json) printJson(report);
  else printUsage(report);
  return report.scan?.state === 'failed' ? 1 : 0;
}

function printUsage(report: UsageReport): void {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const scanned = report.scannedAt ? `scanned ${new Date(report.scannedAt).toISOString()}` : 'never scanned: only what Quire uploaded is counted; quire usage --refresh counts the rest';
  out(`${printable(report.connection)}: ${report.totals.objects} objects, ${formatBytes(report.totals.bytes)} (${scanned}${report.sinceScan.objects > 0 ? `; ${report.sinceScan.objects} uploaded since` : ''})`);
  if (report.totalsFrom === 'bucket-stats') out('  totals as the server counts them now (its bucket statistics, exact); the areas are the last full scan\'s until the scan under way ends');
  else if (report.scan?.method === 'bucket-stats' && report.scan.state === 'done') out('  totals first taken from the server\'s bucket statistics, areas counted by listing');
  for (const area of report.areas.filter((a) => a.objects > 0).sort((a, b) => b.bytes - a.bytes)) {
    out(`${formatBytes(area.bytes).padStart(12)}  ${String(area.objects).padStart(8)} objects  ${printable(area.area)}`);
  }
  if (report.unfinished.uploads > 0) out(`${formatBytes(report.unfinished.bytes).padStart(12)}  ${String(report.unfinished.uploads).padStart(8)} unfinished multipart uploads (billed; see: quire orphans)`);
  const { quota } = report;
  out(`quota ${formatBytes(quota.bytes)}${quota.isDefault ? ' (the Spaces plan)' : ''}: ${quota.usedPercent}% used, ${quota.state === 'over' ? 'OVER QUOTA' : quota.state}`);
  const { cost } = report;
  out(`cost about ${cost.monthly.toFixed(2)} ${cost.prices.currency} a month`);
  for (const line of cost.lines) out(`  ${line.amount.toFixed(2).padStart(9)}  ${line.label}`);
  out(`  at the last 30 days' pace (${formatBytes(cost.projection.bytesPerDay)} a day): ${cost.projection.monthlyIn30Days.toFixed(2)} a month in 30 days`);
  if (report.scan && report.scan.state !== 'done') out(`scan: ${report.scan.state}${report.scan.error ? ` (${printable(report.scan.error)})` : ''}${report.scan.state === 'interrupted' || report.scan.state === 'cancelled' ? ' - quire usage --refresh goes on from where it stopped' : ''}`);
}
