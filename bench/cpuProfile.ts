import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

/**
 * Where a Quire command's CPU time went, from a V8 CPU profile (`--cpu-prof`, which the watch
 * section writes for one extra first sync when BENCH_WATCH_PROFILE names a folder):
 *
 *   npx --no-install tsx bench/cpuProfile.ts FILE.cpuprofile [TOP] [--callers TEXT [DEPTH]]
 *
 * Prints the functions with the most self time and the most total time (a function counted
 * once per sample however deep it recurses), and the share of time idle, in GC and in native
 * code, so "the scan" and "the queue" can be told apart without opening DevTools. With
 * --callers, the time of every function whose label contains TEXT is split by the DEPTH frames
 * that called it (e.g. which queries the time in drizzle's `values` was spent on).
 */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

function label(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const file = url ? basename(url.replace(/^file:\/\//, '')) : '';
  return `${functionName || '(anonymous)'}${file ? ` ${file}:${lineNumber + 1}` : ''}`;
}

function main(): void {
  const args = process.argv.slice(2);
  const callersAt = args.indexOf('--callers');
  const callers = callersAt >= 0 ? { text: args[callersAt + 1] ?? '', depth: Number(args[callersAt + 2] ?? 4) } : null;
  const [file, topText] = callersAt >= 0 ? args.slice(0, callersAt) : args;
  if (!file) throw new Error('usage: tsx bench/cpuProfile.ts FILE.cpuprofile [TOP] [--callers TEXT [DEPTH]]');
  const top = Number(topText ?? 25);
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const chains = new Map<string, number>();
  let all = 0;
  profile.samples.forEach((id, index) => {
    // A sample's time is the gap to the next one (V8 records the gap before each sample).
    const ms = (profile.timeDeltas[index + 1] ?? 0) / 1000;
    all += ms;
    const node = byId.get(id)!;
    self.set(label(node), (self.get(label(node)) ?? 0) + ms);
    const seen = new Set<string>();
    const stack: string[] = [];
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const name = label(byId.get(at)!);
      stack.push(name);
      if (seen.has(name)) continue;
      seen.add(name);
      total.set(name, (total.get(name) ?? 0) + ms);
    }
    if (callers) {
      const match = stack.findIndex((name) => name.includes(callers.text));
      if (match >= 0) {
        const chain = stack.slice(match, match + 1 + callers.depth).join(' < ');
        chains.set(chain, (chains.get(chain) ?? 0) + ms);
      }
    }
  });

  const wall = (profile.endTime - profile.startTime) / 1000;
  const busy = all - (self.get('(idle)') ?? 0);
  const row = ([name, ms]: [string, number]) => `${ms.toFixed(0).padStart(7)} ms ${((100 * ms) / busy).toFixed(1).padStart(5)}%  ${name}`;
  process.stdout.write(
    `${file}\nprofiled ${wall.toFixed(0)} ms; on the CPU (not idle) ${busy.toFixed(0)} ms; idle ${(self.get('(idle)') ?? 0).toFixed(0)} ms; ` +
      `GC ${(self.get('(garbage collector)') ?? 0).toFixed(0)} ms; native/program ${(self.get('(program)') ?? 0).toFixed(0)} ms\n\n`,
  );
  const sorted = (map: Map<string, number>) => [...map].filter(([name]) => name !== '(idle)' && name !== '(root)').sort((a, b) => b[1] - a[1]);
  process.stdout.write(`Self time (% of time on the CPU):\n${sorted(self).slice(0, top).map(row).join('\n')}\n\n`);
  process.stdout.write(`Total time, callees included:\n${sorted(total).slice(0, top).map(row).join('\n')}\n`);
  if (callers) process.stdout.write(`\nTime in "${callers.text}" by its ${callers.depth} callers:\n${sorted(chains).slice(0, top).map(row).join('\n')}\n`);
}

main();
