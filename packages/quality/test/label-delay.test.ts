import { expect } from 'chai';
import { LABEL_DELAY_RATIO, labelDelayBucket, labelDelayOfBucket, labelDelayQuantile } from '@vigil/quality';

describe('label delay buckets', function () {
  it('puts every delay in a bucket whose midpoint is within ±4.4% of it (under a second: 0)', function () {
    expect(labelDelayBucket(0)).to.equal(0);
    expect(labelDelayBucket(0.999)).to.equal(0);
    expect(labelDelayBucket(-30)).to.equal(0);
    expect(labelDelayBucket(1)).to.equal(1);
    const bound = Math.sqrt(LABEL_DELAY_RATIO) - 1;
    for (let delay = 1; delay < 90 * 86_400; delay *= 1.37) {
      const represented = labelDelayOfBucket(labelDelayBucket(delay));
      expect(Math.abs(represented - delay) / delay, `${delay}`).to.be.at.most(bound + 1e-12);
    }
  });

  it('reports quantiles within the bucket error of the exact order statistic (ceil(q·n)-th smallest), null when empty', function () {
    expect(labelDelayQuantile(new Map(), 0.5)).to.equal(null);
    // Delays from minutes to weeks, deterministic.
    const delays = Array.from({ length: 10_001 }, (_, i) => 60 * Math.exp(((i * 7919) % 10_001) / 1000));
    const counts = new Map<number, number>();
    for (const d of delays) counts.set(labelDelayBucket(d), (counts.get(labelDelayBucket(d)) ?? 0) + 1);
    const sorted = [...delays].sort((a, b) => a - b);
    for (const q of [0.01, 0.5, 0.95, 1]) {
      const exact = sorted[Math.ceil(q * sorted.length) - 1]!;
      const binned = labelDelayQuantile(counts, q)!;
      expect(Math.abs(binned - exact) / exact, `q=${q}`).to.be.at.most(Math.sqrt(LABEL_DELAY_RATIO) - 1 + 1e-12);
    }
  });
});
