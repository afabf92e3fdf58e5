/** Options for {@link TokenBuckets}. */
export interface TokenBucketsOptions {
  /** Tokens a client gets back per minute, and the most it can hold (its burst). */
  readonly perMinute: number;
  /**
   * Most clients tracked at once. Past it, buckets that have refilled are
   * forgotten first (they are the same as new ones), then the oldest.
   * @defaultValue 100000
   */
  readonly maxClients?: number;
}

/** What {@link TokenBuckets.take} decided. */
export type TakeResult = { readonly allowed: true } | { readonly allowed: false; readonly retryAfterMs: number };

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * One token bucket per client, in memory: each request takes a token, tokens
 * come back at perMinute/60 a second. Unlike a fixed window it never lets a
 * client through twice the limit around a window edge. Per process: with N
 * replicas a client gets up to N times the limit.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();
  private readonly capacity: number;
  private readonly perMs: number;
  private readonly maxClients: number;
  private lastSweep = 0;

  constructor(options: TokenBucketsOptions) {
    if (!(Number.isInteger(options.perMinute) && options.perMinute >= 1)) throw new RangeError('TokenBuckets: perMinute must be an integer >= 1');
    this.maxClients = options.maxClients ?? 100_000;
    if (!(Number.isInteger(this.maxClients) && this.maxClients >= 1)) throw new RangeError('TokenBuckets: maxClients must be an integer >= 1');
    this.capacity = options.perMinute;
    this.perMs = options.perMinute / 60_000;
  }

  /** Takes one token for `client` at time `now` (ms, monotonic). */
  take(client: string, now: number): TakeResult {
    let bucket = this.buckets.get(client);
    if (bucket === undefined) {
      if (this.buckets.size >= this.maxClients || now - this.lastSweep > 60_000) this.sweep(now);
      bucket = { tokens: this.capacity, at: now };
      this.buckets.set(client, bucket);
    } else {
      bucket.tokens = Math.min(this.capacity, bucket.tokens + Math.max(0, now - bucket.at) * this.perMs);
      bucket.at = now;
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true };
    }
    return { allowed: false, retryAfterMs: (1 - bucket.tokens) / this.perMs };
  }

  /** Clients currently tracked. */
  get size(): number {
    return this.buckets.size;
  }

  private sweep(now: number): void {
    this.lastSweep = now;
    for (const [client, bucket] of this.buckets) {
      if (bucket.tokens + (now - bucket.at) * this.perMs >= this.capacity) this.buckets.delete(client);
    }
    // Still full (many clients, all busy): forget the oldest tenth rather than grow without bound.
    if (this.buckets.size >= this.maxClients) {
      let excess = this.buckets.size - Math.floor(this.maxClients * 0.9);
      for (const client of this.buckets.keys()) {
        if (excess-- <= 0) break;
        this.buckets.delete(client);
      }
    }
  }
}
