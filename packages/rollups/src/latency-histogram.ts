/** Relative width of a bucket: values within 1% of each other share one. */
const GAMMA = 1.01;
const LOG_GAMMA = Math.log(GAMMA);
/** Values at or below this (ms) share bucket 0: a microsecond is below anything we measure. */
const MIN_VALUE = 0.001;

/**
 * A mergeable log-bucketed histogram (the idea of DDSketch): bucket i holds
 * values in (MIN·γ^(i-1), MIN·γ^i] and is read back as its geometric middle,
 * so any value it reports is within ±0.5% of the true one, whatever the
 * range. Counts, sum and max are kept exactly. Sparse, so a minute with
 * little traffic costs little to store.
 */
export class LatencyHistogram {
  private readonly buckets = new Map<number, number>();
  count = 0;
  sum = 0;
  max = Number.NEGATIVE_INFINITY;

  static bucketOf(value: number): number {
    return value <= MIN_VALUE ? 0 : Math.ceil(Math.log(value / MIN_VALUE) / LOG_GAMMA);
  }

  static valueOf(bucket: number): number {
    return bucket === 0 ? MIN_VALUE : MIN_VALUE * GAMMA ** (bucket - 0.5);
  }

  add(value: number, times = 1): void {
    const bucket = LatencyHistogram.bucketOf(value);
    this.buckets.set(bucket, (this.buckets.get(bucket) ?? 0) + times);
    this.count += times;
    this.sum += value * times;
    if (value > this.max) this.max = value;
  }

  merge(other: LatencyHistogram): void {
    for (const [bucket, count] of other.buckets) this.buckets.set(bucket, (this.buckets.get(bucket) ?? 0) + count);
    this.count += other.count;
    this.sum += other.sum;
    if (other.max > this.max) this.max = other.max;
  }

  /**
   * The q-th quantile with the same rank rule as numpy's default (linear
   * interpolation between the values at ranks floor and ceil of q·(n-1)), so
   * it approximates exactly what an exact computation over the rows gives.
   */
  quantile(q: number): number {
    if (this.count === 0) return Number.NaN;
    const rank = q * (this.count - 1);
    const lowRank = Math.floor(rank);
    const low = this.valueAtRank(lowRank);
    const high = rank === lowRank ? low : this.valueAtRank(lowRank + 1);
    return low + (high - low) * (rank - lowRank);
  }

  private valueAtRank(rank: number): number {
    let seen = 0;
    const ordered = [...this.buckets.keys()].sort((a, b) => a - b);
    for (const bucket of ordered) {
      seen += this.buckets.get(bucket) as number;
      // The largest value is known exactly; report it rather than its bucket's middle.
      if (seen > rank) return rank === this.count - 1 ? this.max : Math.min(LatencyHistogram.valueOf(bucket), this.max);
    }
    return this.max;
  }

  /** Compact JSON: {"b":{bucket:count,...},"n":count,"s":sum,"m":max}. */
  toJSON(): { b: Record<string, number>; n: number; s: number; m: number } {
    return { b: Object.fromEntries(this.buckets), n: this.count, s: this.sum, m: this.count === 0 ? 0 : this.max };
  }

  static fromJSON(value: { b: Record<string, number>; n: number; s: number; m: number }): LatencyHistogram {
    const histogram = new LatencyHistogram();
    for (const [bucket, count] of Object.entries(value.b)) histogram.buckets.set(Number(bucket), count);
    histogram.count = value.n;
    histogram.sum = value.s;
    histogram.max = value.n === 0 ? Number.NEGATIVE_INFINITY : value.m;
    return histogram;
  }
}
