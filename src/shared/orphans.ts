/** An unfinished multipart upload in the bucket that Quire's ledger does not own. */
export interface Orphan {
  key: string;
  /** S3's UploadId of the unfinished upload (not a Quire upload id). */
  s3UploadId: string;
  initiated: number;
  /** Bytes of the parts it holds: what it costs until aborted. */
  size: number;
  parts: number;
  ageMs: number;
  /** Spaces deletes unfinished uploads after 30 days; until then they are billed. */
  daysUntilProviderDeletes: number;
}

export interface OrphanReport {
  connection: string;
  orphans: Orphan[];
  /** Filled when aborting was asked for. */
  aborted: Orphan[];
  failed: { orphan: Orphan; message: string }[];
}
