import { z } from 'zod';

/** DigitalOcean Spaces regions as seen in providers' own tools; any other S3 endpoint is "s3_compatible". */
export const spacesRegions = ['ams3', 'blr1', 'fra1', 'lon1', 'nyc3', 'sfo2', 'sfo3', 'sgp1', 'syd1', 'tor1'] as const;
export const providers = ['digitalocean_spaces', 'aws_s3', 's3_compatible'] as const;
export const visibilities = ['private', 'public-read'] as const;

export const GIB = 1024 ** 3;
export const TIB = 1024 ** 4;
/** The platform specs' default limit; Spaces allows objects up to 5 TiB through multipart. */
export const DEFAULT_MAX_FILE_SIZE = 5 * GIB;
export const MAX_OBJECT_SIZE = 5 * TIB;

const connectionName = z
  .string()
  .trim()
  .min(1, 'a connection needs a name')
  .max(64, 'a connection name has at most 64 characters')
  .regex(/^[\p{L}\p{N} ._-]+$/u, 'a connection name may contain letters, digits, spaces, dots, dashes and underscores');

const bucketName = z
  .string()
  .trim()
  .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'a bucket name has 3-63 lower-case letters, digits, dots or dashes');

const extension = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9]{1,10}$/, 'a file type is an extension such as pdf or mp3, without the dot');

/** What the author fills in to add a connection (the secret travels separately, never in this). */
export const connectionInputSchema = z
  .object({
    name: connectionName,
    provider: z.enum(providers),
    region: z.string().trim().min(1).max(64),
    bucket: bucketName,
    /** Optional for Spaces and AWS (derived from the region), required for other S3 servers. */
    endpoint: z.url({ protocol: /^https?$/ }).optional(),
    cdnBaseUrl: z.url({ protocol: /^https?$/ }).optional(),
    pathStyle: z.boolean().optional(),
    defaultVisibility: z.enum(visibilities).default('private'),
    maxFileSize: z.number().int().positive().max(MAX_OBJECT_SIZE, 'the largest object S3 and Spaces accept is 5 TiB').default(DEFAULT_MAX_FILE_SIZE),
    allowedFileTypes: z.array(extension).default([]),
    accessKeyId: z.string().trim().min(1, 'the access key ID is required').max(128),
    makeDefault: z.boolean().default(false),
  })
  .superRefine((value, ctx) => {
    if (value.provider === 's3_compatible' && !value.endpoint) {
      ctx.addIssue({ code: 'custom', path: ['endpoint'], message: 'an S3-compatible connection needs its endpoint URL' });
    }
    if (value.provider === 'digitalocean_spaces' && !value.endpoint && !(spacesRegions as readonly string[]).includes(value.region)) {
      ctx.addIssue({ code: 'custom', path: ['region'], message: `Spaces regions are ${spacesRegions.join(', ')}` });
    }
  });

export type ConnectionInput = z.input<typeof connectionInputSchema>;
export type ConnectionSettings = z.output<typeof connectionInputSchema>;

/** A saved connection as every host and the UI see it: no secret, ever. */
export interface ConnectionSummary {
  id: string;
  name: string;
  provider: (typeof providers)[number];
  endpoint: string;
  region: string;
  bucket: string;
  cdnBaseUrl: string | null;
  pathStyle: boolean;
  defaultVisibility: (typeof visibilities)[number];
  maxFileSize: number;
  allowedFileTypes: string[];
  accessKeyId: string;
  isDefault: boolean;
}
