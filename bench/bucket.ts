import { createHash, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import {
  AbortMultipartUploadCommand,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import type { BenchConfig } from './config';
import { runChild } from './measure';

/**
 * The bench's own view of the server, separate from every tool under test: it creates the bucket,
 * checks what each tool really stored, and empties the bucket between runs so the server's 20 GiB
 * sparse disk never fills.
 */
export class BenchBucket {
  private readonly client: S3Client;

  private constructor(
    readonly name: string,
    private readonly config: BenchConfig,
  ) {
    const { s3 } = config;
    this.client = new S3Client({
      endpoint: s3.endpoint,
      region: s3.region,
      forcePathStyle: true,
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
      // radosgw 16 refuses the SDK's default trailing CRC32 checksums.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  static async create(config: BenchConfig): Promise<BenchBucket> {
    const bucket = new BenchBucket(`quire-bench-${randomUUID().slice(0, 8)}`, config);
    await bucket.client.send(new CreateBucketCommand({ Bucket: bucket.name }));
    return bucket;
  }

  /** Objects under `prefix` and their total size: did the tool upload everything it claimed? */
  async summarize(prefix: string): Promise<{ count: number; bytes: number }> {
    let count = 0;
    let bytes = 0;
    let token: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.name, Prefix: `${prefix}/`, ContinuationToken: token }));
      for (const object of page.Contents ?? []) {
        count += 1;
        bytes += object.Size ?? 0;
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return { count, bytes };
  }

  /** Every key under `prefix/`, in the server's order. */
  async keys(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.name, Prefix: `${prefix}/`, ContinuationToken: token }));
      for (const object of page.Contents ?? []) keys.push(object.Key!);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return keys;
  }

  /** The SHA-256 of the object's bytes as the server returns them (read back in full, not taken from metadata). */
  async sha256Of(key: string): Promise<string> {
    const object = await this.client.send(new GetObjectCommand({ Bucket: this.name, Key: key }));
    const hash = createHash('sha256');
    for await (const chunk of object.Body as AsyncIterable<Uint8Array>) hash.update(chunk);
    return hash.digest('hex');
  }

  /** Multipart uploads under `prefix/` started and never completed nor aborted. */
  async openUploads(prefix: string): Promise<number> {
    const page = await this.client.send(new ListMultipartUploadsCommand({ Bucket: this.name, Prefix: `${prefix}/` }));
    return page.Uploads?.length ?? 0;
  }

  async sizeOf(key: string): Promise<number | null> {
    return (await this.head(key))?.size ?? null;
  }

  /** Size and ETag; a multipart object's ETag ends in "-<part count>", which shows the part size a tool really used. */
  async head(key: string): Promise<{ size: number; etag: string } | null> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.name, Key: key }));
      return { size: head.ContentLength ?? 0, etag: (head.ETag ?? '').replaceAll('"', '') };
    } catch {
      return null;
    }
  }

  /**
   * Deletes every object and aborts every unfinished multipart upload (a killed rclone or AWS CLI
   * leaves one behind), then has radosgw reclaim the space now, not in its own GC cycle, which
   * would otherwise run in the middle of a later, timed upload.
   */
  async empty(): Promise<void> {
    for (;;) {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.name, MaxKeys: 1000 }));
      const keys = (page.Contents ?? []).map((object) => ({ Key: object.Key! }));
      if (keys.length === 0) break;
      await this.client.send(new DeleteObjectsCommand({ Bucket: this.name, Delete: { Objects: keys, Quiet: true } }));
    }
    for (;;) {
      const page = await this.client.send(new ListMultipartUploadsCommand({ Bucket: this.name }));
      const uploads = page.Uploads ?? [];
      if (uploads.length === 0) break;
      for (const upload of uploads) {
        await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.name, Key: upload.Key!, UploadId: upload.UploadId! }));
      }
    }
    await this.collectGarbage();
  }

  async destroy(): Promise<void> {
    await this.empty();
    await this.client.send(new DeleteBucketCommand({ Bucket: this.name })).catch(() => {});
    this.client.destroy();
  }

  /** radosgw-admin against the bench's own cluster (its ceph.conf in the server folder), never another. */
  private async collectGarbage(): Promise<void> {
    const conf = join(this.config.s3.serverDir, 'ceph.conf');
    const run = await runChild('radosgw-admin', ['-c', conf, 'gc', 'process', '--include-all'], process.env, 300_000);
    if (run.exitCode !== 0) process.stderr.write(`bench: radosgw-admin gc process failed (ignored): ${run.stderr.trim().split('\n').at(-1)}\n`);
  }
}
