/**
 * A counting semaphore: the global budget of S3 requests in flight. Waiters are served in order
 * so one large file cannot starve the small ones queued beside it.
 */
export class Semaphore {
  private available: number;
  private readonly waiters: (() => void)[] = [];

  constructor(private limit: number) {
    this.available = limit;
  }

  get capacity(): number {
    return this.limit;
  }

  /**
   * A new limit (the author changed requests in flight). Holders keep their slots; a smaller
   * limit takes effect as they give them back, a larger one lets waiters in at once.
   */
  resize(limit: number): void {
    this.available += limit - this.limit;
    this.limit = limit;
    while (this.available > 0 && this.waiters.length > 0) {
      this.available -= 1;
      this.waiters.shift()!();
    }
  }

  async acquire(): Promise<() => void> {
    if (this.available > 0) {
      this.available -= 1;
    } else {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      // After a shrink, a slot given back may be one too many: it is not handed on.
      const next = this.available >= 0 ? this.waiters.shift() : undefined;
      if (next) next();
      else this.available += 1;
    };
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    const release = await this.acquire();
    try {
      return await task();
    } finally {
      release();
    }
  }
}
