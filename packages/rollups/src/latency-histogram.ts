/** Relative width of a bucket: values within 1% of each other share one. */
const GAMMA = 1.01;
const LOG_GAMMA = Math.log(GAMMA);
/** Values at or below this (ms) share bucket 0: a microsecond is below anything we measure. */
const MIN_VALUE = 0.001;
/**
 * The bucket of the largest finite double (~71,000): buckets are array
 * indexes now, so an infinite or NaN value must still land on a real one.
 */
const MAX_BUCKET = Math.ceil((Math.log(Number.MAX_VALUE) - Math.log(MIN_VALUE)) / LOG_GAMMA);
/** Spare buckets added on the side a histogram grows, so adding values one by one reallocates rarely. */
const GROWTH_SLACK = 64;

/**
 * The sparse form: what Postgres stores (jsonb, also built in SQL by its
 * migrations) and what SQLite stored before the compact form.
 */
export interface SparseHistogramJSON {
  b: Record<string, number>;
  n: number;
  s: number;
  m: number;
}

/**
 * The compact form SQLite stores: counts of consecutive buckets from bucket
 * `o` on, where a negative entry -k stands for k empty buckets. A JSON array
 * of small numbers parses several times faster than an object with string
 * keys, and the skips keep a sparse slow tail short.
 */
export interface CompactHistogramJSON {
  o: number;
  c: number[];
  n: number;
  s: number;
  m: number;
}

/** Either stored form: readers accept both, so rows written before the compact form still read. */
export type StoredHistogramJSON = SparseHistogramJSON | CompactHistogramJSON;

/**
 * A mergeable log-bucketed histogram (the idea of DDSketch): bucket i holds
 * values in (MIN·γ^(i-1), MIN·γ^i] and is read back as its geometric middle,
 * so any value it reports is within ±0.5% of the true one, whatever the
 * range. Counts, sum and max are kept exactly.
 *
 * Dense in memory: one Float64Array of consecutive bucket counts from
 * `offset` on. Real latencies span a few hundred buckets (0.3 ms to 400 ms
 * is ~730), so merging is a tight loop over an array and quantiles need no
 * sort, which is what a window's summary spends its time on.
 */
export class LatencyHistogram {
  /** counts[i] is the count of bucket offset + i. */
  private counts = new Float64Array(0);
  private offset = 0;
  /** The lowest and highest bucket with a count, so loops skip the slack; low > high when empty. */
  private low = 1;
  private high = 0;
  count = 0;
  sum = 0;
  max = Number.NEGATIVE_INFINITY;

  static bucketOf(value: number): number {
    if (value <= MIN_VALUE) return 0;
    const bucket = Math.ceil(Math.log(value / MIN_VALUE) / LOG_GAMMA);
    return bucket < MAX_BUCKET ? bucket : MAX_BUCKET; // also catches NaN (the comparison is false)
  }

  static valueOf(bucket: number): number {
    return bucket === 0 ? MIN_VALUE : MIN_VALUE * GAMMA ** (bucket - 0.5);
  }

  add(value: number, times = 1): void {
    const bucket = LatencyHistogram.bucketOf(value);
    this.include(bucket, bucket);
    this.counts[bucket - this.offset]! += times;
    this.count += times;
    this.sum += value * times;
    if (value > this.max) this.max = value;
  }

  merge(other: LatencyHistogram): void {
    if (other.low <= other.high) {
      this.include(other.low, other.high);
      const counts = this.counts;
      const shift = other.offset - this.offset;
      const from = other.low - other.offset;
      const to = other.high - other.offset;
      for (let i = from; i <= to; i++) counts[i + shift]! += other.counts[i]!;
    }
    this.addTotals(other.count, other.sum, other.max);
  }

  /**
   * Adds a stored histogram in either form straight into this one: no
   * intermediate histogram per row, which matters when a window sums many.
   */
  mergeJSON(value: StoredHistogramJSON): void {
    if ('c' in value) this.mergeCompactCounts(value.o, value.c);
    else this.mergeSparseCounts(value.b);
    this.addTotals(value.n, value.s, value.n === 0 ? Number.NEGATIVE_INFINITY : value.m);
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
    // The largest value is known exactly; report it rather than its bucket's middle.
    if (rank >= this.count - 1) return this.max;
    let seen = 0;
    for (let bucket = this.low; bucket <= this.high; bucket++) {
      seen += this.counts[bucket - this.offset]!;
      if (seen > rank) return Math.min(LatencyHistogram.valueOf(bucket), this.max);
    }
    return this.max;
  }

  /** Sparse JSON: {"b":{bucket:count,...},"n":count,"s":sum,"m":max} (the Postgres form). */
  toJSON(): SparseHistogramJSON {
    const b: Record<string, number> = {};
    for (let bucket = this.low; bucket <= this.high; bucket++) {
      const count = this.counts[bucket - this.offset]!;
      if (count !== 0) b[bucket] = count;
    }
    return { b, n: this.count, s: this.sum, m: this.count === 0 ? 0 : this.max };
  }

  /** Compact JSON (the SQLite form): {"o":firstBucket,"c":[count or -emptyRun,...],"n","s","m"}. */
  toCompactJSON(): CompactHistogramJSON {
    const c: number[] = [];
    let emptyRun = 0;
    for (let bucket = this.low; bucket <= this.high; bucket++) {
      const count = this.counts[bucket - this.offset]!;
      if (count === 0) {
        emptyRun++;
        continue;
      }
      if (emptyRun > 0) c.push(-emptyRun);
      emptyRun = 0;
      c.push(count);
    }
    return { o: this.low <= this.high ? this.low : 0, c, n: this.count, s: this.sum, m: this.count === 0 ? 0 : this.max };
  }

  /** A histogram from either stored form. */
  static fromJSON(value: StoredHistogramJSON): LatencyHistogram {
    const histogram = new LatencyHistogram();
    histogram.mergeJSON(value);
    return histogram;
  }

  private addTotals(count: number, sum: number, max: number): void {
    this.count += count;
    this.sum += sum;
    if (max > this.max) this.max = max;
  }

  private mergeCompactCounts(first: number, entries: readonly number[]): void {
    if (entries.length === 0) return;
    this.include(first, first + LatencyHistogram.compactSpan(entries) - 1);
    const counts = this.counts;
    let index = first - this.offset;
    for (const entry of entries) {
      if (entry < 0) index -= entry;
      else counts[index++]! += entry;
    }
  }

  /** How many buckets a compact count list covers, empty runs included. */
  private static compactSpan(entries: readonly number[]): number {
    let span = 0;
    for (const entry of entries) span += entry < 0 ? -entry : 1;
    return span;
  }

  private mergeSparseCounts(buckets: Record<string, number>): void {
    const keys = Object.keys(buckets);
    if (keys.length === 0) return;
    let lowest = Number.POSITIVE_INFINITY;
    let highest = Number.NEGATIVE_INFINITY;
    for (const key of keys) {
      const bucket = Number(key);
      if (bucket < lowest) lowest = bucket;
      if (bucket > highest) highest = bucket;
    }
    this.include(lowest, highest);
    for (const key of keys) this.counts[Number(key) - this.offset]! += buckets[key]!;
  }

  /** Makes buckets `from`..`to` addressable and counts them as populated. */
  private include(from: number, to: number): void {
    if (from < this.offset || to >= this.offset + this.counts.length) this.grow(from, to);
    if (this.low > this.high) {
      this.low = from;
      this.high = to;
      return;
    }
    if (from < this.low) this.low = from;
    if (to > this.high) this.high = to;
  }

  /** Reallocates to cover `from`..`to` as well, with slack on the side(s) it grew. */
  private grow(from: number, to: number): void {
    // The first range is allocated exactly: a decoded row never grows, and timeseries decodes one per minute.
    if (this.counts.length === 0) {
      this.offset = from;
      this.counts = new Float64Array(to + 1 - from);
      return;
    }
    // Slack in proportion to the size too, so a histogram that keeps widening reallocates a logarithmic number of times.
    const slack = Math.max(GROWTH_SLACK, this.counts.length >> 1);
    const oldEnd = this.offset + this.counts.length;
    const start = from < this.offset ? Math.max(0, from - slack) : this.offset;
    const end = to >= oldEnd ? to + 1 + slack : oldEnd;
    const counts = new Float64Array(end - start);
    counts.set(this.counts, this.offset - start);
    this.counts = counts;
    this.offset = start;
  }
}
