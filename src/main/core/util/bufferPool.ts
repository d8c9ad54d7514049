/**
 * Read buffers of one size, reused: a part streams from disk through one, and allocating a fresh
 * one per part (or per read) would leave the garbage collector far behind the upload. A buffer is
 * taken with a request slot and given back when the request ends, so memory is a buffer per
 * request in flight, whatever the file and part size.
 */
export class BufferPool {
  private readonly free: Buffer[] = [];

  constructor(
    readonly size: number,
    /** Buffers kept for reuse: one per request in flight (changed with that setting). */
    public keep: number,
  ) {}

  take(): Buffer {
    return this.free.pop() ?? Buffer.allocUnsafeSlow(this.size);
  }

  give(buffer: Buffer): void {
    if (this.free.length < this.keep) this.free.push(buffer);
  }
}
