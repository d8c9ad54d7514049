import { createHash, randomUUID } from 'node:crypto';
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, ListMultipartUploadsCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';

/**
 * The S3 server the suite talks to: the project's own radosgw on loopback (scripts/s3-server.sh,
 * started by `npm test`), or any endpoint a contributor names with QUIRE_S3_* variables.
 * This client is the tests' independent view of the bucket, separate from the engine's.
 */
export interface TestS3 {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  client: S3Client;
}

export function testS3(): TestS3 {
  const endpoint = process.env.QUIRE_S3_ENDPOINT;
  const accessKeyId = process.env.QUIRE_S3_ACCESS_KEY_ID;
  const secretAccessKey = process.env.QUIRE_S3_SECRET_ACCESS_KEY;
  const region = process.env.QUIRE_S3_REGION ?? 'us-east-1';
  if (!endpoint || !accessKeyId || !secretAccessKey) {
    throw new Error('No S3 server for the tests: run them with `npm test` (it starts radosgw), or set QUIRE_S3_ENDPOINT, QUIRE_S3_ACCESS_KEY_ID and QUIRE_S3_SECRET_ACCESS_KEY.');
  }
  const client = new S3Client({
    endpoint,
    region,
    forcePathStyle: true,
    credentials: { accessKeyId, secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  return { endpoint, region, accessKeyId, secretAccessKey, client };
}

/** A new, empty bucket for one test file, so files never see each other's objects. */
export async function createTestBucket(s3: TestS3, label: string): Promise<string> {
  const bucket = `quire-${label}-${randomUUID().slice(0, 8)}`.toLowerCase();
  await s3.client.send(new CreateBucketCommand({ Bucket: bucket }));
  return bucket;
}

/** SHA-256 of the object's bytes as the server returns them. */
export async function sha256OfObject(s3: TestS3, bucket: string, key: string): Promise<string> {
  const object = await s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const hash = createHash('sha256');
  for await (const chunk of object.Body as Readable) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The object's bytes as the server returns them (small objects: images read back to be looked at). */
export async function bytesOfObject(s3: TestS3, bucket: string, key: string): Promise<Buffer> {
  const object = await s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const chunks: Buffer[] = [];
  for await (const chunk of object.Body as Readable) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Every key under a prefix (one page: the tests' buckets hold a few hundred objects at most). */
export async function listKeys(s3: TestS3, bucket: string, prefix: string): Promise<string[]> {
  const page = await s3.client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return (page.Contents ?? []).map((object) => object.Key!);
}

export async function headOf(s3: TestS3, bucket: string, key: string) {
  return s3.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
}

export async function openMultipartUploads(s3: TestS3, bucket: string): Promise<number> {
  const page = await s3.client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
  return page.Uploads?.length ?? 0;
}
