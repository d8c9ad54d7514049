import { readdir, readFile, readlink } from 'node:fs/promises';

/** O_ACCMODE bits of an open file's flags (octal in /proc/PID/fdinfo): 1 write-only, 2 read-write. */
const ACCESS_MODE = 0o3;

/**
 * The files among `paths` that some process of this user holds open for writing now (Linux, by
 * /proc; elsewhere nothing is known and the quiet rule alone decides). A DAW or an editor keeps
 * its export open between bursts, however long it pauses: such a file is still being written.
 * One pass over every open descriptor, so it is asked once per scan, for recently changed files only.
 * Quire itself opens sources read-only, so its own reads never count.
 */
export async function openForWriting(paths: ReadonlySet<string>): Promise<Set<string>> {
  const open = new Set<string>();
  if (process.platform !== 'linux' || paths.size === 0) return open;
  const pids = (await readdir('/proc').catch(() => [] as string[])).filter((name) => /^\d+$/.test(name));
  for (const pid of pids) {
    const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
    for (const fd of fds) {
      const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => null);
      if (target === null || !paths.has(target) || open.has(target)) continue;
      const info = await readFile(`/proc/${pid}/fdinfo/${fd}`, 'utf8').catch(() => '');
      const flags = /^flags:\s+([0-7]+)/m.exec(info);
      if (flags && (Number.parseInt(flags[1]!, 8) & ACCESS_MODE) !== 0) open.add(target);
    }
  }
  return open;
}
