import type { TempRemoval, TempReport } from '../../shared/cleanup';
import { formatBytes } from '../../shared/format';
import { printable } from '../../shared/printable';
import { QuireError } from '../core/errors';
import { printJson } from './output';

export const CLEANUP_HELP = `  quire cleanup temp [--remove KEY... | --remove --all]
                         objects under temp/ over a day old; removed only those you name (or all
                         listed, with --all), each checked again first. Unfinished uploads: quire orphans
`;

/** `quire cleanup temp`: the platform's 24-hour cleanup of temporary files, only as the author confirms. */
export async function cleanupCommand(
  call: { list: (input: { connection?: string }) => Promise<TempReport>; remove: (input: { connection?: string; keys: string[] }) => Promise<TempRemoval> },
  args: string[],
  flags: { connection?: string; remove?: boolean; all?: boolean; json?: boolean },
): Promise<number> {
  const [what, ...keys] = args;
  if (what !== 'temp') throw new QuireError('usage', 'quire cleanup temp [--remove KEY... | --remove --all]. See: quire --help');
  const connection = flags.connection;
  if (!flags.remove) {
    const report = await call.list({ connection });
    if (flags.json) printJson(report);
    else {
      for (const object of report.objects) process.stdout.write(`${formatBytes(object.size).padStart(10)}  ${new Date(object.lastModified).toISOString()}  ${printable(object.key)}\n`);
      process.stdout.write(`${report.objects.length} temporary object(s) over a day old, ${formatBytes(report.bytes)}.${report.objects.length > 0 ? ' Remove them with: quire cleanup temp --remove --all' : ''}\n`);
    }
    return 0;
  }
  const chosen = flags.all ? (await call.list({ connection })).objects.map((object) => object.key) : keys;
  if (chosen.length === 0) {
    if (!flags.json) process.stdout.write('Nothing to remove: no temporary object over a day old.\n');
    else printJson({ removed: [], kept: [] });
    return 0;
  }
  const result = await call.remove({ connection, keys: chosen });
  if (flags.json) printJson(result);
  else {
    process.stdout.write(`${result.removed.length} temporary object(s) removed.\n`);
    for (const kept of result.kept) process.stdout.write(`kept: ${printable(kept.reason)}\n`);
  }
  return result.kept.length > 0 ? 1 : 0;
}
