import http from 'node:http';
import { CreateBucketCommand, DeleteObjectsCommand, GetObjectCommand, HeadBucketCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { BenchConfig } from './config';
import { MARKER_KEY, usageLayout, type UsageLayout } from './usageLayout';

export interface UsageBucket {
  name: string;
  layout: UsageLayout;
  /** Seconds the fill took in this run; null when the bucket already held the objects (its marker said so). */
  fillSeconds: number | null;
  /** Objects PUT by this run's fill (fewer than all when an interrupted fill was taken up). */
  objectsPut: number;
}

/**
 * The bucket of `count` objects the usage bench scans, made once per bench S3 server: named after
 * its count, so a later run against the same server (BENCH_KEEP_S3=1) finds it. Its marker object,
 * written last, says the fill ended; when the marker matches the layout the objects are reused.
 * Otherwise what is there is listed, anything missing (an interrupted fill) is PUT, `concurrency`
 * at once, anything not in the layout deleted, the result listed again and only then the marker
 * written.
 */
export async function ensureUsageBucket(config: BenchConfig, count: number, log: (message: string) => void): Promise<UsageBucket> {
  const layout = usageLayout(count);
  const name = `quire-bench-usage-${count}`;
  const client = benchClient(config, config.usage.fillConcurrency);
  try {
    const exists = await client.send(new HeadBucketCommand({ Bucket: name })).then(
      () => true,
      () => false,
    );
    if (!exists) await client.send(new CreateBucketCommand({ Bucket: name }));
    if (exists && (await markerBody(client, name)) === layout.markerBody) return { name, layout, fillSeconds: null, objectsPut: 0 };

    const started = performance.now();
    const present = await listAll(client, name);
    const wanted = new Map(layout.objects.map((object) => [object.key, object.size]));
    const stray = [...present].filter(([key, size]) => wanted.get(key) !== size).map(([key]) => key);
    // The marker goes too: it is written again last, only once the rest is right.
    if (present.has(MARKER_KEY) && !stray.includes(MARKER_KEY)) stray.push(MARKER_KEY);
    for (let at = 0; at < stray.length; at += 1000) {
      await client.send(new DeleteObjectsCommand({ Bucket: name, Delete: { Objects: stray.slice(at, at + 1000).map((Key) => ({ Key })), Quiet: true } }));
    }
    const missing = layout.objects.filter((object) => present.get(object.key) !== object.size);
    log(`  filling ${name}: ${missing.length} of ${layout.objects.length} objects to PUT (${present.size - stray.length} already there), ${config.usage.fillConcurrency} at once...`);
    // One zeroed buffer, sliced per object: the content does not matter to a listing.
    const zeros = Buffer.alloc(Math.max(1, ...missing.map((object) => object.size)));
    let next = 0;
    let done = 0;
    let lastLog = performance.now();
    const worker = async () => {
      while (next < missing.length) {
        const object = missing[next++]!;
        await putWithRetries(client, name, object.key, zeros.subarray(0, object.size));
        done += 1;
        if (performance.now() - lastLog > 15_000) {
          lastLog = performance.now();
          const seconds = (lastLog - started) / 1000;
          log(`  ${done} of ${missing.length} PUT in ${seconds.toFixed(0)} s (${(done / seconds).toFixed(0)}/s)`);
        }
      }
    };
    await Promise.all(Array.from({ length: config.usage.fillConcurrency }, worker));

    // The fill is checked by the bench's own listing before the marker vouches for it.
    const after = await listAll(client, name);
    const wrong = layout.objects.filter((object) => after.get(object.key) !== object.size).length;
    if (wrong > 0 || after.size !== layout.objects.length) throw new Error(`the fill of ${name} left ${wrong} object(s) missing or the wrong size (${after.size} listed, ${layout.objects.length} wanted)`);
    await client.send(new PutObjectCommand({ Bucket: name, Key: MARKER_KEY, Body: layout.markerBody, ContentType: 'application/json' }));
    const fillSeconds = (performance.now() - started) / 1000;
    log(`  ${name}: ${missing.length} objects PUT in ${fillSeconds.toFixed(1)} s (${(missing.length / fillSeconds).toFixed(0)} PUT/s, listing and check included)`);
    return { name, layout, fillSeconds, objectsPut: missing.length };
  } finally {
    client.destroy();
  }
}

/** The bench's plain S3 client (the SDK), with as many keep-alive sockets as PUTs in flight. */
export function benchClient(config: BenchConfig, sockets: number): S3Client {
  const { s3 } = config;
  return new S3Client({
    endpoint: s3.endpoint,
    region: s3.region,
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    // radosgw 16 refuses the SDK's default trailing CRC32 checksums.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: new NodeHttpHandler({ httpAgent: new http.Agent({ keepAlive: true, maxSockets: sockets }) }),
  });
}

async function markerBody(client: S3Client, bucket: string): Promise<string | null> {
  try {
    const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: MARKER_KEY }));
    return (await object.Body?.transformToString()) ?? null;
  } catch {
    return null;
  }
}

/** Every key in the bucket with its size. */
async function listAll(client: S3Client, bucket: string): Promise<Map<string, number>> {
  const keys = new Map<string, number>();
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    for (const object of page.Contents ?? []) keys.set(object.Key!, object.Size ?? 0);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys;
}

/** A busy server may drop a request (a reset socket, a 503): the fill tries each PUT a few times. */
async function putWithRetries(client: S3Client, bucket: string, key: string, body: Buffer): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
      return;
    } catch (error) {
      if (attempt >= 5) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
    }
  }
}
