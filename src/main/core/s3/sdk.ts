import type * as ClientS3 from '@aws-sdk/client-s3';
import type { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { NodeHttpHandler } from '@smithy/node-http-handler';

/** The parts of the AWS SDK the gateway uses for control requests. */
export interface Sdk {
  s3: typeof ClientS3;
  NodeHttpHandler: typeof NodeHttpHandler;
  getSignedUrl: typeof getSignedUrl;
}

let loading: Promise<Sdk> | null = null;

/**
 * The SDK, loaded on first use, once per process. Its modules cost about 80 ms of CPU to load,
 * half of the CLI's start, and many runs need none of it: file bytes go out through
 * objectWriter.ts, so a run of small files makes no other request but the orphan check (twice a day,
 * janitor.ts). Create, Complete, List, Head, Abort and presigning load it.
 */
export function loadSdk(): Promise<Sdk> {
  loading ??= Promise.all([import('@aws-sdk/client-s3'), import('@smithy/node-http-handler'), import('@aws-sdk/s3-request-presigner')]).then(([s3, handler, presigner]) => ({
    s3,
    NodeHttpHandler: handler.NodeHttpHandler,
    getSignedUrl: presigner.getSignedUrl,
  }));
  return loading;
}
