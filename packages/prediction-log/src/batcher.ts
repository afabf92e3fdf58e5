/** Options for {@link Batcher}. */
export interface BatcherOptions<T> {
  /** Flush as soon as this many items are buffered. */
  readonly maxItems: number;
  /** Flush at most this long after the first buffered item arrived. */
  readonly maxWaitMs: number;
  /** Receives each batch. Must not throw; failures are the sink's to handle. */
  readonly sink: (batch: T[]) => Promise<void>;
}

/**
 * Collects items in memory and hands them on in batches, by size or by age,
 * whichever comes first. `add` is synchronous and never waits for the sink,
 * which is what keeps logging off the request's critical path.
 */
export class Batcher<T> {
  private buffer: T[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly options: BatcherOptions<T>) {
    if (!Number.isInteger(options.maxItems) || options.maxItems < 1) throw new RangeError('Batcher: maxItems must be an integer >= 1');
    if (!(options.maxWaitMs >= 0)) throw new RangeError('Batcher: maxWaitMs must be >= 0');
  }

  add(item: T): void {
    this.buffer.push(item);
    if (this.buffer.length >= this.options.maxItems) {
      this.flushNow();
    } else if (this.timer === undefined) {
      this.timer = setTimeout(() => this.flushNow(), this.options.maxWaitMs);
    }
  }

  get buffered(): number {
    return this.buffer.length;
  }

  /** Hands over what is buffered and resolves when every batch handed over so far is done. */
  async flush(): Promise<void> {
    this.flushNow();
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  private flushNow(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.buffer.length === 0) return;
    const batch = this.buffer;
    this.buffer = [];
    const done = this.options.sink(batch).finally(() => this.inFlight.delete(done));
    this.inFlight.add(done);
  }
}
