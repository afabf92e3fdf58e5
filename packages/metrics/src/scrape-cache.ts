/** Options for {@link scrapeCache}. */
export interface ScrapeCacheOptions {
  /** How long a value read is served before the next scrape reads again. */
  readonly ttlMs: number;
  /**
   * Longest a scrape waits for a fresh read. Past it the scrape gets the
   * previous value (or nothing) and the read finishes for the next scrape,
   * so a slow source never makes a scrape slow.
   */
  readonly waitMs: number;
  /** Called with each failed read; the scrape then goes without this source. */
  readonly onError?: ((error: Error) => void) | undefined;
  /** @defaultValue Date.now */
  readonly now?: (() => number) | undefined;
}

/**
 * Wraps a read that a scrape needs (Redis counts, a drift report) so that
 * concurrent collectors share one read, a value is reused for ttlMs, and no
 * scrape waits longer than waitMs. Resolves undefined when nothing is known
 * (the first read is slow, or the last read failed): the metric is then left
 * out rather than shown with a value that is not true.
 */
export function scrapeCache<T>(load: () => Promise<T>, options: ScrapeCacheOptions): () => Promise<T | undefined> {
  if (!(options.ttlMs >= 0) || !(options.waitMs >= 0)) throw new RangeError('scrapeCache: ttlMs and waitMs must be >= 0');
  const now = options.now ?? Date.now;
  let value: T | undefined;
  let readAt = Number.NEGATIVE_INFINITY;
  let reading: Promise<T | undefined> | undefined;

  function read(): Promise<T | undefined> {
    reading ??= load().then(
      (loaded) => {
        value = loaded;
        readAt = now();
        reading = undefined;
        return loaded;
      },
      (error: unknown) => {
        // A failing source is dropped until it answers again, not shown stale forever.
        value = undefined;
        readAt = now();
        reading = undefined;
        options.onError?.(error instanceof Error ? error : new Error(String(error)));
        return undefined;
      },
    );
    return reading;
  }

  return async () => {
    if (now() - readAt < options.ttlMs) return value;
    const previous = value;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<T | undefined>((resolve) => {
      timer = setTimeout(() => resolve(previous), options.waitMs);
      timer.unref();
    });
    try {
      return await Promise.race([read(), late]);
    } finally {
      clearTimeout(timer);
    }
  };
}
