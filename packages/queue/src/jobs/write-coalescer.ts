interface Waiting<T> {
  readonly records: readonly T[];
  resolve(written: number): void;
  reject(error: unknown): void;
}

/**
 * Lets the batches (log or label) a worker holds at once (WORKER_CONCURRENCY) share one
 * SQLite transaction: a batch handed over while another is waiting for its
 * turn joins it, so a backlog pays one commit and one rollup merge for
 * several batches. Nothing waits for company: a lone batch is written on the
 * next turn of the event loop, as soon as the jobs fetched in this one have
 * had their chance to join.
 */
export class WriteCoalescer<T> {
  private waiting: Waiting<T>[] = [];
  private scheduled = false;

  constructor(
    /**
     * Writes the batches in one transaction, all or none; returns each one's
     * new rows, or a promise of them (a write on another thread: the group
     * goes as soon as it is formed, and that thread may join it to others).
     */
    private readonly writeTogether: (batches: readonly (readonly T[])[]) => number[] | Promise<number[]>,
  ) {}

  /** Resolves with the batch's new rows once its transaction committed; rejects with the write's error. */
  write(records: readonly T[]): Promise<number> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ records, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    const group = this.waiting;
    this.waiting = [];
    try {
      const written = await this.writeTogether(group.map((w) => w.records));
      group.forEach((w, i) => w.resolve(written[i]!));
    } catch (error) {
      if (group.length === 1) {
        group[0]!.reject(error);
        return;
      }
      // All or none failed: write each batch alone, so one batch's refused row
      // (or one batch's retry) does not become every batch's failure.
      for (const w of group) {
        try {
          w.resolve((await this.writeTogether([w.records]))[0]!);
        } catch (alone) {
          w.reject(alone);
        }
      }
    }
  }
}
