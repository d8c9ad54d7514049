import { describe, expect, it } from 'vitest';
import type { ConnectionSummary } from '../src/shared/connection';
import type { GatewayOptions } from '../src/main/core/s3/gateway';
import { GatewayPool } from '../src/main/core/s3/gatewayPool';
import { ScriptedBucket } from './support/scriptedBucket';

/**
 * The pace and bandwidth cap the author saved reach every request of a connection, also in a
 * process whose queue never ticks (a usage scan, the janitor, `quire usage --refresh`).
 */
describe('the gateway pool', () => {
  it('gives each gateway the pace and cap in force when it is asked for, not the ones at start', async () => {
    const bucket = new ScriptedBucket();
    const seen: GatewayOptions[] = [];
    let limits = { requestsPerSecond: 300, bandwidthLimit: 0 };
    const pool = new GatewayPool(
      async () => ({ accessKeyId: 'K', secretAccessKey: 'S' }),
      () => {},
      () => {},
      { maxSockets: 4, requestIdleTimeoutMs: 1000, maxAttempts: 1, limits: () => limits },
      (connection, credentials, record, options) => {
        seen.push(options);
        return bucket.factory(connection, credentials, record, options);
      },
    );
    const connection = { id: 'c1', name: 'books', bucket: 'b' } as ConnectionSummary;
    // Saved in another process after this one started: the next gateway asked for goes by it.
    limits = { requestsPerSecond: 7, bandwidthLimit: 1_000_000 };
    await pool.forConnection(connection);
    expect(seen[0]!.pacer!.rate).toBe(7);
    expect(seen[0]!.bandwidth!.limit).toBe(1_000_000);
    // Slowed again: the connection's one gateway (and its one pacer) follows at once. (A faster
    // pace is reached gradually, as after a SlowDown.)
    limits = { requestsPerSecond: 2, bandwidthLimit: 0 };
    await pool.forConnection(connection);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.pacer!.rate).toBeLessThanOrEqual(2);
    expect(seen[0]!.bandwidth!.limit).toBe(0);
    pool.destroy();
  });
});
