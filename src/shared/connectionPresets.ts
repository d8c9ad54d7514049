import { providers, spacesRegions } from './connection';

export type Provider = (typeof providers)[number];

/**
 * What the "add a connection" form offers per provider: which fields it asks for and what it
 * derives. The engine derives the same endpoint and CDN (core/connections/endpoints.ts); these are
 * here so the page can show the author, before saving, where Quire will send their files.
 */
export interface ConnectionPreset {
  provider: Provider;
  label: string;
  /** One line under the choice: who this is for. */
  description: string;
  /** A fixed list of regions (Spaces), suggestions for a free field (AWS), or none (any S3 server). */
  regions: readonly string[];
  regionsAreFixed: boolean;
  defaultRegion: string;
  /** Whether the author types the endpoint (only for a server Quire knows nothing about). */
  asksEndpoint: boolean;
}

/** AWS regions most authors will meet; any other region name is accepted as typed. */
const awsRegions = [
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'ca-central-1',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'eu-central-1',
  'eu-north-1',
  'ap-south-1',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-northeast-1',
  'sa-east-1',
] as const;

export const connectionPresets: Record<Provider, ConnectionPreset> = {
  digitalocean_spaces: {
    provider: 'digitalocean_spaces',
    label: 'DigitalOcean Spaces',
    description: 'A Space in your DigitalOcean account; its CDN is used for public links.',
    regions: spacesRegions,
    regionsAreFixed: true,
    defaultRegion: 'nyc3',
    asksEndpoint: false,
  },
  aws_s3: {
    provider: 'aws_s3',
    label: 'Amazon S3',
    description: 'A bucket in your AWS account.',
    regions: awsRegions,
    regionsAreFixed: false,
    defaultRegion: 'us-east-1',
    asksEndpoint: false,
  },
  s3_compatible: {
    provider: 's3_compatible',
    label: 'Other S3-compatible service',
    description: 'MinIO, Ceph, Backblaze B2, Wasabi, Cloudflare R2 and others that speak S3: give the endpoint URL.',
    regions: [],
    regionsAreFixed: false,
    defaultRegion: 'us-east-1',
    asksEndpoint: true,
  },
};

export const providerOrder: readonly Provider[] = providers;

/** The endpoint a preset implies for a region, as the engine derives it; null when the author must give it. */
export function derivedEndpoint(provider: Provider, region: string): string | null {
  if (provider === 'digitalocean_spaces') return `https://${region}.digitaloceanspaces.com`;
  if (provider === 'aws_s3') return `https://s3.${region}.amazonaws.com`;
  return null;
}

/** Spaces' built-in CDN address for a bucket, used for public links unless the author gives their own. */
export function derivedCdnBaseUrl(provider: Provider, region: string, bucket: string): string | null {
  if (provider === 'digitalocean_spaces' && bucket) return `https://${bucket}.${region}.cdn.digitaloceanspaces.com`;
  return null;
}

export function providerLabel(provider: Provider): string {
  return connectionPresets[provider].label;
}
