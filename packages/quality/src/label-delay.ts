/**
 * Label delays (seconds from a prediction to its first label) counted in
 * logarithmic buckets, so the store keeps a few dozen counters per minute
 * whatever the delays: bucket 0 holds delays under a second, bucket b ≥ 1
 * holds [RATIO^(b-1), RATIO^b) seconds. A quantile is reported at its
 * bucket's geometric midpoint: within ±4.4% of the exact order statistic
 * (RATIO^(1/2) - 1), plenty for "labels take about three days".
 */
export const LABEL_DELAY_RATIO = 2 ** (1 / 8);

export function labelDelayBucket(delaySeconds: number): number {
  if (!(delaySeconds >= 1)) return 0; // also a label dated before its prediction (clock skew, back-fills)
  return 1 + Math.floor(Math.log(delaySeconds) / Math.log(LABEL_DELAY_RATIO));
}

/** The delay a bucket stands for: 0 for the first, else its geometric midpoint. */
export function labelDelayOfBucket(bucket: number): number {
  return bucket <= 0 ? 0 : LABEL_DELAY_RATIO ** (bucket - 0.5);
}

/**
 * Quantile q (0 < q ≤ 1) of delays counted per bucket: the bucket holding
 * the ceil(q·n)-th smallest delay, as numpy's "inverted_cdf" picks it. Null when no delay is counted.
 */
export function labelDelayQuantile(counts: ReadonlyMap<number, number>, q: number): number | null {
  let total = 0;
  for (const count of counts.values()) total += count;
  if (total <= 0) return null;
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (const bucket of [...counts.keys()].sort((a, b) => a - b)) {
    seen += counts.get(bucket)!;
    if (seen >= rank) return labelDelayOfBucket(bucket);
  }
  return null;
}
