import { describe, expect, it } from 'vitest';
import { MAX_PARTS, MIB, choosePartSize, partCount, partRange } from '../src/main/core/upload/partPlan';
import { expectedMultipartEtag } from '../src/main/core/upload/fileHashes';

describe('part plan', () => {
  it('uses 10 MiB parts while they fit in 10,000', () => {
    expect(choosePartSize(1024 * MIB)).toBe(10 * MIB);
    expect(choosePartSize(10 * MIB * MAX_PARTS)).toBe(10 * MIB);
  });

  it('grows parts for huge files so no file needs more than 10,000', () => {
    const fiveTiB = 5 * 1024 ** 4;
    const size = choosePartSize(fiveTiB);
    expect(partCount(fiveTiB, size)).toBeLessThanOrEqual(MAX_PARTS);
    expect(size % MIB).toBe(0);
    expect(size).toBeLessThanOrEqual(5 * 1024 * MIB);
  });

  it('never goes below the 5 MiB minimum', () => {
    expect(choosePartSize(100, 1024)).toBe(5 * MIB);
  });

  it('covers every byte once, the last part short', () => {
    const size = 25 * MIB + 7;
    const parts = partCount(size, 10 * MIB);
    expect(parts).toBe(3);
    expect(partRange(size, 10 * MIB, 3)).toEqual({ offset: 20 * MIB, length: 5 * MIB + 7 });
  });

  it('predicts the multipart ETag S3 computes', () => {
    // md5("a") and md5("b") as parts -> md5 of their binary digests, "-2".
    expect(expectedMultipartEtag(['0cc175b9c0f1b6a831c399e269772661', '92eb5ffee6ae2fec3ad71c777531578f'])).toMatch(/^[0-9a-f]{32}-2$/);
  });
});
