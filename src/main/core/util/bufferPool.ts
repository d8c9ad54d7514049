/**
 * Read buffers, reused: a part streams from disk through one, and allocating a fresh one per
 * part (or per read) would leave the garbage collector far behind the upload. A buffer is taken
 * with a request slot and given back when the request ends, so memory is a buffer per request
 * in flight, whatever the file and part size.
 */
export class BufferPool {
  private readonly free: Buffer[] = [];

  constructor(private readonly keep: number) {}

  take(size: number): Buffer {
    const index = this.free.findIndex((buffer) => buffer.length >= size);
    if (index !== -1) return this.free.splice(index, 1)[0]!.subarray(0, size);
    return Buffer.allocUnsafeSlow(size);
  }

  give(buffer: Buffer): void {
    // Keep the whole allocation, whatever slice of it was lent (take() allocates whole ArrayBuffers).
    const whole = Buffer.from(buffer.buffer);
    if (this.free.length < this.keep) this.free.push(whole);
    else if (this.free.length > 0 && this.free[0]!.length < whole.length) this.free[0] = whole;
  }
}
