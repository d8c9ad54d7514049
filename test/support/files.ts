import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';

const MIB = 1024 * 1024;

/**
 * Writes a file of exactly `size` bytes that no two MiB of which are alike (random base block,
 * each MiB stamped with its index), fast enough to make a 1 GiB file in a couple of seconds.
 */
export async function writeTestFile(path: string, size: number): Promise<string> {
  const handle = await open(path, 'w');
  const hash = createHash('sha256');
  try {
    const base = randomBytes(MIB);
    for (let offset = 0, index = 0; offset < size; offset += MIB, index += 1) {
      const block = Buffer.from(base.subarray(0, Math.min(MIB, size - offset)));
      if (block.length >= 16) {
        block.writeDoubleLE(index, 0);
        block.writeDoubleLE(Math.random(), 8);
      }
      hash.update(block);
      await handle.write(block, 0, block.length, offset);
    }
  } finally {
    await handle.close();
  }
  return hash.digest('hex');
}

export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: MIB })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
