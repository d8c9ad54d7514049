import type Database from 'better-sqlite3';

/**
 * A year of an author's heavy use, written straight into a ledger for the analytics bench: two
 * connections (books and audio), uploads of every content type at their usual sizes (manuscripts,
 * covers and book images with their web sets, chapters in 10 MiB parts, full audiobooks, videos),
 * and each upload's requests as the gateway logs them: the HEAD that finds a name free, the PUT
 * or the multipart requests, the verifying HEAD, with a few percent of requests failing first for
 * the usual reasons (SlowDown, dropped connections, timeouts, pauses) and then retried, some
 * uploads resumed, failed, cancelled or still under way. Seeded: the same options give the same
 * ledger. It stops once `operations` requests are written.
 */

export interface HistoryOptions {
  operations: number;
  days: number;
  now: number;
  seed: number;
}

export interface HistoryCounts {
  uploads: number;
  operations: number;
  imageSets: number;
  failedOperations: number;
}

const MIB = 1024 * 1024;
const PART = 10 * MIB;
const DAY = 24 * 3600 * 1000;

interface Kind {
  category: string;
  weight: number;
  /** Size range, log-uniform. */
  min: number;
  max: number;
  ext: string;
  contentType: string;
  /** Share of these that get a web image set. */
  imageSets?: number;
  connection: 'books' | 'audio';
}

// Weighted so that the average upload makes about ten requests (a million requests ≈ 100,000 uploads).
const KINDS: Kind[] = [
  { category: 'manuscript', weight: 10, min: 200_000, max: 40 * MIB, ext: 'pdf', contentType: 'application/pdf', connection: 'books' },
  { category: 'cover', weight: 3, min: 1 * MIB, max: 9 * MIB, ext: 'jpg', contentType: 'image/jpeg', imageSets: 0.8, connection: 'books' },
  { category: 'book-asset', weight: 12, min: 30_000, max: 4 * MIB, ext: 'jpg', contentType: 'image/jpeg', imageSets: 0.3, connection: 'books' },
  { category: 'audio', weight: 60, min: 20 * MIB, max: 250 * MIB, ext: 'mp3', contentType: 'audio/mpeg', connection: 'audio' },
  { category: 'audio-full', weight: 3, min: 300 * MIB, max: 900 * MIB, ext: 'm4b', contentType: 'audio/mp4', connection: 'audio' },
  { category: 'audio-sample', weight: 8, min: 500_000, max: 6 * MIB, ext: 'mp3', contentType: 'audio/mpeg', connection: 'audio' },
  { category: 'avatar', weight: 1, min: 100_000, max: 3 * MIB, ext: 'png', contentType: 'image/png', imageSets: 0.5, connection: 'books' },
  { category: 'branding', weight: 2, min: 50_000, max: 2 * MIB, ext: 'svg', contentType: 'image/svg+xml', connection: 'books' },
  { category: 'video', weight: 3, min: 30 * MIB, max: 400 * MIB, ext: 'mp4', contentType: 'video/mp4', connection: 'books' },
  { category: 'other', weight: 6, min: 1_000, max: 2 * MIB, ext: 'txt', contentType: 'text/plain', connection: 'books' },
];

/** Why a request failed before its retry: [error code, HTTP status, weight]. */
const REQUEST_FAILURES: [string, number | null, number][] = [
  ['SlowDown', 503, 45],
  ['ECONNRESET', null, 18],
  ['RequestTimeout', 400, 9],
  ['InternalError', 500, 9],
  ['AbortError', null, 10],
  ['TimeoutError', null, 5],
  ['XAmzContentSHA256Mismatch', 400, 2],
  ['ServiceUnavailable', 503, 2],
  ['AccessDenied', 403, 1],
];

/** Why an upload failed for good: [engine error code, weight, message]. */
const UPLOAD_FAILURES: [string, number, string][] = [
  ['endpoint_unreachable', 40, 'cannot reach the storage endpoint (ECONNREFUSED).'],
  ['file_changed', 25, 'the file changed while it was being sent.'],
  ['access_denied', 15, 'the server refused access (403).'],
  ['file_missing', 12, 'the file is gone.'],
  ['s3_error', 8, 'the storage server answered InternalError (HTTP 500).'],
];

/** mulberry32: small, fast, seeded. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(rand: () => number, items: T[], weight: (item: T) => number): T {
  const total = items.reduce((sum, item) => sum + weight(item), 0);
  let r = rand() * total;
  for (const item of items) {
    r -= weight(item);
    if (r < 0) return item;
  }
  return items[items.length - 1]!;
}

export function fillHistory(db: Database.Database, options: HistoryOptions): HistoryCounts {
  const rand = random(options.seed);
  const logUniform = (min: number, max: number) => Math.round(Math.exp(Math.log(min) + rand() * (Math.log(max) - Math.log(min))));
  const between = (min: number, max: number) => min + Math.floor(rand() * (max - min + 1));
  const counts: HistoryCounts = { uploads: 0, operations: 0, imageSets: 0, failedOperations: 0 };

  db.exec(`INSERT OR IGNORE INTO connections (id, name, provider, endpoint, region, bucket, max_file_size, access_key_id, created_at, updated_at) VALUES
    ('c-books', 'books', 'digitalocean_spaces', 'https://nyc3.digitaloceanspaces.com', 'nyc3', 'author-books', 5368709120, 'DO00EXAMPLE', 0, 0),
    ('c-audio', 'audio', 'digitalocean_spaces', 'https://ams3.digitaloceanspaces.com', 'ams3', 'author-audio', 5368709120, 'DO00EXAMPLE', 0, 0)`);
  const insertUpload = db.prepare(
    `INSERT INTO uploads (id, connection_id, source_path, size, mtime_ms, fingerprint, object_key, content_type, category, visibility, status, method, bytes_done, attempts,
       wait_count, error_code, error_message, error_retryable, resumes, bytes_resumed, image_set_id, variant, origin_path, created_at, updated_at, verified_at)
     VALUES (?, ?, ?, ?, ?, 'f', ?, ?, ?, 'private', ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertSet = db.prepare(
    `INSERT INTO image_sets (id, source_path, source_sha256, preset, format, width, height, dominant_color, bytes_before, bytes_after, variant_count, original_kept, cache_hit, prepared_at)
     VALUES (?, ?, 'sha', 'web', 'webp', 4000, 3000, '#808080', ?, ?, 4, 1, 0, ?)`,
  );
  const insertOperation = db.prepare(
    `INSERT INTO operations (connection_id, upload_id, operation, object_key, http_method, bytes_sent, duration_ms, http_status, success, error_code, started_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );

  const start = options.now - options.days * DAY;
  let n = 0;
  // Random-looking ids, as randomUUID gives the engine's: look-ups by id land all over the index.
  const hex = (digits: number) => Array.from({ length: digits }, () => Math.floor(rand() * 16).toString(16)).join('');
  const id = () => `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`;
  /** A request's duration: latency plus its bytes at a rate around 8 MB/s, and now and then a very slow one. */
  const durationOf = (bytes: number) => {
    const rate = logUniform(2_000_000, 25_000_000);
    const slow = rand() < 0.001 ? between(10_000, 90_000) : 0;
    return between(15, 120) + Math.round((bytes * 1000) / rate) + slow;
  };

  /** Logs one request (failing first now and then, then retried); returns when it ended. */
  function request(connectionId: string, uploadId: string, operation: string, method: string, key: string, bytes: number, at: number, canFail: boolean): number {
    if (canFail && rand() < 0.02) {
      const [code, status] = pick(rand, REQUEST_FAILURES, (f) => f[2]);
      const took = between(5, 30_000);
      insertOperation.run(connectionId, uploadId, operation, key, method, 0, took, status, 0, code, at);
      counts.operations += 1;
      counts.failedOperations += 1;
      at += took + between(100, 2000);
    }
    const took = durationOf(bytes);
    insertOperation.run(connectionId, uploadId, operation, key, method, bytes, took, 200, 1, null, at);
    counts.operations += 1;
    return at + took;
  }

  /** One file sent: its requests, then its row (with `uploadId`, else a new id). Returns the time it ended. */
  function upload(kind: Kind, at: number, size: number, name: string, extra: { uploadId?: string; imageSetId?: string; variant?: string; originPath?: string } = {}): number {
    n += 1;
    const uploadId = extra.uploadId ?? id();
    const connectionId = `c-${kind.connection}`;
    const key = `${kind.category}/${name}`;
    const created = at - between(0, 600_000);
    const multipart = size > PART;
    const recent = options.now - at < 3 * DAY;
    const fate = rand();
    const status = recent && fate < 0.2 ? pick(rand, ['queued', 'waiting', 'paused', 'uploading'], () => 1) : fate < 0.025 ? 'failed' : fate < 0.04 ? 'cancelled' : 'verified';
    let t = at;
    // The conflict check: a HEAD that finds the name free (a 404, logged as a failed request).
    if (rand() < 0.6) {
      const took = between(15, 90);
      insertOperation.run(connectionId, uploadId, 'head', key, 'HEAD', 0, took, 404, 0, 'NotFound', t);
      counts.operations += 1;
      t += took;
    }
    const parts = multipart ? Math.ceil(size / PART) : 1;
    // A failed or cancelled upload stops partway.
    const sent = status === 'verified' ? parts : status === 'queued' ? 0 : between(0, parts);
    if (multipart && sent > 0) t = request(connectionId, uploadId, 'create_multipart', 'POST', key, 0, t, true);
    // Parts go four at a time: each wave takes as long as its slowest part.
    for (let part = 0; part < sent; part += 4) {
      let waveEnd = t;
      for (let k = part; k < Math.min(sent, part + 4); k += 1) {
        const bytes = multipart ? Math.min(PART, size - k * PART) : size;
        waveEnd = Math.max(waveEnd, request(connectionId, uploadId, multipart ? 'upload_part' : 'upload', 'PUT', key, bytes, t, true));
      }
      t = waveEnd;
    }
    let verifiedAt: number | null = null;
    if (status === 'verified') {
      if (multipart) t = request(connectionId, uploadId, 'complete_multipart', 'POST', key, 0, t, true);
      t = request(connectionId, uploadId, 'head', 'HEAD', key, 0, t, false);
      verifiedAt = t;
    }
    const failure = status === 'failed' ? pick(rand, UPLOAD_FAILURES, (f) => f[1]) : null;
    const resumes = multipart && status === 'verified' && rand() < 0.05 ? between(1, 2) : 0;
    const bytesResumed = resumes > 0 ? resumes * Math.min(size - PART, between(1, Math.max(1, parts - 1)) * PART) : 0;
    const updated = status === 'verified' ? t : t + between(0, 60_000);
    const sourcePath = extra.originPath ? `/home/author/.cache/quire/${name}` : `/home/author/books/${name}`;
    insertUpload.run(
      uploadId, connectionId, sourcePath, size, created, key, kind.contentType, kind.category, status, multipart ? 'multipart' : 'single', status === 'verified' ? size : Math.min(size, sent * PART),
      sent > 3 ? between(0, 2) : 0, failure?.[0] ?? null, failure ? `${name}: ${failure[2]}` : null, failure ? 1 : null, resumes, bytesResumed,
      extra.imageSetId ?? null, extra.variant ?? null, extra.originPath ?? null, created, updated, verifiedAt,
    );
    counts.uploads += 1;
    return t;
  }

  const batch = db.transaction((until: number) => {
    while (counts.operations < until) {
      const kind = pick(rand, KINDS, (k) => k.weight);
      // Evenly over the year, weekdays busier than weekends.
      let at = start + Math.floor(rand() * options.days * DAY);
      if ([0, 6].includes(new Date(at).getUTCDay()) && rand() < 0.5) at = start + Math.floor(rand() * options.days * DAY);
      const size = logUniform(kind.min, kind.max);
      const name = `${kind.category}-${n}.${kind.ext}`;
      if (kind.imageSets && rand() < kind.imageSets) {
        // The image's own row, then its web sizes, each its own upload of the same set.
        const ownId = id();
        let t = upload(kind, at, size, name, { uploadId: ownId, imageSetId: ownId, variant: 'original' });
        const bytesAfter: number[] = [];
        for (const width of ['480', '1024', '1920', 'thumb']) {
          const bytes = Math.max(2_000, Math.round(size * (width === 'thumb' ? 0.004 : Number(width) / 40_000) * (0.5 + rand())));
          bytesAfter.push(bytes);
          t = upload(kind, t, bytes, `${name}-${width}.webp`, { imageSetId: ownId, variant: width, originPath: `/home/author/books/${name}` });
        }
        insertSet.run(ownId, `/home/author/books/${name}`, size, bytesAfter.reduce((a, b) => a + b, 0), at - between(1000, 20_000));
        counts.imageSets += 1;
      } else upload(kind, at, size, name);
    }
  });
  for (let goal = 50_000; counts.operations < options.operations; goal += 50_000) batch(Math.min(goal, options.operations));
  return counts;
}
