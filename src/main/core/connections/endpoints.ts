import type { ConnectionSettings } from '../../../shared/connection';

/** Fills in what a provider implies, so an author adding a Space only names region and bucket. */
export function resolveEndpoint(settings: Pick<ConnectionSettings, 'provider' | 'region' | 'endpoint'>): string {
  if (settings.endpoint) return settings.endpoint.replace(/\/+$/, '');
  if (settings.provider === 'digitalocean_spaces') return `https://${settings.region}.digitaloceanspaces.com`;
  if (settings.provider === 'aws_s3') return `https://s3.${settings.region}.amazonaws.com`;
  throw new Error('An S3-compatible connection needs an endpoint.');
}

/** Spaces' built-in CDN, unless the author set a custom domain. Other providers have none by default. */
export function resolveCdnBaseUrl(settings: Pick<ConnectionSettings, 'provider' | 'region' | 'bucket' | 'cdnBaseUrl'>): string | null {
  if (settings.cdnBaseUrl) return settings.cdnBaseUrl.replace(/\/+$/, '');
  if (settings.provider === 'digitalocean_spaces') return `https://${settings.bucket}.${settings.region}.cdn.digitaloceanspaces.com`;
  return null;
}

/**
 * Virtual-hosted addressing (bucket.host) is the default for Spaces and AWS; self-hosted servers
 * (MinIO, Ceph on a LAN or loopback) usually have no wildcard DNS and need path style.
 */
export function resolvePathStyle(settings: Pick<ConnectionSettings, 'provider' | 'pathStyle'>): boolean {
  return settings.pathStyle ?? settings.provider === 's3_compatible';
}
