import { basename, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { FaultProxy } from '../test/support/faultProxy';
import type { BenchBucket } from './bucket';
import type { BenchConfig } from './config';
import type { Fixtures } from './fixtures';
import { lastLine, startChild } from './measure';
import type { Tool } from './tools';

export interface KillResult {
  ok: boolean;
  /** File-content bytes that had reached the proxy when the kill was sent (the 50% trigger). */
  bytesAtKill: number;
  /**
   * All file-content bytes of the killed run: more than bytesAtKill, because what the tool had
   * already written into its sockets' kernel buffers still arrives after the process is gone.
   */
  bytesFirstRun: number;
  /** File-content bytes over both runs (the killed one and the rerun), cut-off requests included. */
  totalBytes: number;
  /** totalBytes minus the file size: what the interruption cost on the wire. */
  resentBytes: number;
  failure: string | null;
}

/**
 * "Bytes re-sent after a kill at 50%": the tool uploads the big file through a counting proxy
 * (test/support/faultProxy.ts, in this process); when half of the file's bytes have arrived the
 * tool is SIGKILLed, then the user's next command runs to completion (for Quire `quire run`,
 * which resumes from its ledger; rclone and the AWS CLI can only start over). Bytes are counted on
 * the wire by the proxy, not taken from any tool's own report.
 */
export async function measureKillResume(tool: Tool, config: BenchConfig, fixtures: Fixtures, bucket: BenchBucket, stateDir: string): Promise<KillResult> {
  const proxy = new FaultProxy(config.s3.endpoint);
  await proxy.start();
  const prefix = `${tool.name}/kill`;
  const size = fixtures.bigBytes;
  const fail = (failure: string): KillResult => ({ ok: false, bytesAtKill: 0, bytesFirstRun: 0, totalBytes: proxy.sentContentBytes(), resentBytes: NaN, failure });
  try {
    const session = await tool.open(proxy.endpoint, bucket.name, join(stateDir, `${tool.name}-kill`));
    const first = session.uploadFile(fixtures.bigFile, prefix, config.bigConcurrency);
    const child = startChild(first.command, first.args, first.env, config.timeoutMs);

    // Poll often enough that the overshoot (bytes arriving between two looks) stays around 1 MiB at
    // loopback speeds; the proxy counts every chunk as it arrives.
    let finished = false;
    void child.done.then(() => (finished = true));
    while (!finished && proxy.sentContentBytes() < size / 2) await sleep(2);
    if (finished) {
      const run = await child.done;
      if (run.timedOut) return fail(`timed out after ${Math.round(config.timeoutMs / 1000)} s before 50% was sent`);
      return fail(`ended before 50% was sent (exit ${run.exitCode ?? run.signal}): ${lastLine(run.stderr)}`);
    }
    // The tool's own PID (startChild runs it directly, not under GNU time): SIGKILL, no chance to clean up.
    process.kill(child.pid, 'SIGKILL');
    const bytesAtKill = proxy.sentContentBytes();
    await child.done;
    // Let the proxy see the killed connections drain and close, so late chunks count toward the first run.
    await sleep(500);
    const bytesFirstRun = proxy.sentContentBytes();

    const again = session.rerunAfterKill(fixtures.bigFile, prefix, config.bigConcurrency);
    const rerun = await startChild(again.command, again.args, again.env, config.timeoutMs).done;
    if (rerun.timedOut) return fail(`the rerun timed out after ${Math.round(config.timeoutMs / 1000)} s`);
    if (rerun.exitCode !== 0) return fail(`rerun exit ${rerun.exitCode ?? rerun.signal}: ${lastLine(rerun.stderr)}`);
    const stored = await bucket.sizeOf(`${prefix}/${basename(fixtures.bigFile)}`);
    if (stored !== size) return fail(`after the rerun the bucket holds ${stored ?? 'no'} object of ${size} bytes`);
    const totalBytes = proxy.sentContentBytes();
    return { ok: true, bytesAtKill, bytesFirstRun, totalBytes, resentBytes: totalBytes - size, failure: null };
  } catch (error) {
    return fail((error as Error).message);
  } finally {
    await proxy.stop();
  }
}
