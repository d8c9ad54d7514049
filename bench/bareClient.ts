import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { basename, join, relative, sep } from 'node:path';
import { BandwidthLimiter } from '../src/main/core/s3/bandwidthLimiter';
import { EndpointClient } from '../src/main/core/s3/endpointClient';
import { ObjectWriter } from '../src/main/core/s3/objectWriter';

/**
 * The bench's reference for small files, not a rival: Quire's own requests with nothing around
 * them. It PUTs every file of a folder through Quire's ObjectWriter (the same keep-alive pool,
 * the same signed body and headers: content type, ACL, x-amz-meta-sha256, If-None-Match) with N
 * in flight, and nothing else: no ledger, no queue, no fingerprint, no events, no retries. What
 * it reaches on a machine is the most any client sending these requests can reach there, so the
 * gap between it and Quire is what Quire's bookkeeping costs, and the gap between it and rclone
 * is what the server allows.
 *
 * Every file under FOLDER, subfolders included (the watch folder's tree), goes to
 * `PREFIX/<folder name>/<path inside it>`, the keys the other tools write.
 *
 * Bundled by the bench (esbuild) and run with the project's Node, like bin/quire:
 *   node bareClient.mjs FOLDER PREFIX CONCURRENCY   (endpoint, bucket and keys from BARE_* env)
 */
async function main(): Promise<void> {
  const [folder, prefix, concurrencyText] = process.argv.slice(2);
  const concurrency = Number(concurrencyText);
  if (!folder || !prefix || !Number.isInteger(concurrency) || concurrency < 1) throw new Error('usage: bareClient FOLDER PREFIX CONCURRENCY');
  const env = (name: string) => process.env[name] ?? fail(`${name} is not set`);
  const endpoint = new EndpointClient(
    { endpoint: env('BARE_ENDPOINT'), region: env('BARE_REGION'), bucket: env('BARE_BUCKET'), pathStyle: true },
    { accessKeyId: env('BARE_ACCESS_KEY_ID'), secretAccessKey: env('BARE_SECRET_ACCESS_KEY') },
    { offsetMs: 0 },
    { maxSockets: concurrency, idleTimeoutMs: 60_000 },
  );
  const writer = new ObjectWriter(endpoint, new BandwidthLimiter(0));
  // The listing is part of the work timed, as it is for every tool: one readdir for the tree.
  const paths = (await readdir(folder, { recursive: true, withFileTypes: true }))
    .filter((entry) => entry.isFile())
    .map((entry) => relative(folder, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .sort();
  let next = 0;
  const worker = async () => {
    while (next < paths.length) {
      const path = paths[next++]!;
      const buffer = await readFile(join(folder, path));
      const sha256 = createHash('sha256').update(buffer).digest('hex');
      const headers = { 'content-type': 'application/octet-stream', 'x-amz-acl': 'private', 'x-amz-meta-sha256': sha256, 'if-none-match': '*' };
      await writer.put(`${prefix}/${basename(folder)}/${path}`, {}, headers, { buffer, sha256 });
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    endpoint.destroy();
  }
}

function fail(message: string): never {
  throw new Error(message);
}

main().catch((error: unknown) => {
  process.stderr.write(`bareClient: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`);
  process.exitCode = 1;
});
