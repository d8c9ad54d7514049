import type { ConnectionSummary } from './connection';

/** A key as it goes in a URL: each segment percent-encoded, the slashes between them kept. */
export function encodeKey(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}

/**
 * The public address of an object: under the connection's CDN when it has one, else the bucket's
 * own URL, path style (`endpoint/bucket/key`, as radosgw and MinIO serve it) or virtual-hosted
 * (`https://bucket.nyc3.digitaloceanspaces.com/key`, as Spaces and AWS do). It answers only for
 * public-read objects; a private one needs a share link.
 */
export function objectUrl(connection: Pick<ConnectionSummary, 'endpoint' | 'bucket' | 'cdnBaseUrl' | 'pathStyle'>, key: string): string {
  const path = encodeKey(key);
  if (connection.cdnBaseUrl) return `${connection.cdnBaseUrl.replace(/\/+$/, '')}/${path}`;
  const endpoint = connection.endpoint.replace(/\/+$/, '');
  if (connection.pathStyle) return `${endpoint}/${connection.bucket}/${path}`;
  const parts = /^(https?:)\/\/([^/]+)(\/.*)?$/i.exec(endpoint);
  if (!parts) return `${endpoint}/${connection.bucket}/${path}`;
  const [, scheme, host, rest = ''] = parts;
  return `${scheme}//${connection.bucket}.${host}${rest}/${path}`;
}
