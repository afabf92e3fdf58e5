import { expect } from 'chai';
import { LatencyHistogram, type CompactHistogramJSON, type SparseHistogramJSON, type StoredHistogramJSON } from '@vigil/rollups';
import { seededUniform as mulberry32 } from '../../../test/support/prng';

/** numpy's default percentile (linear), computed here over the raw values to compare against. */
function exactQuantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = q * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.min(low + 1, sorted.length - 1);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (rank - low);
}

describe('LatencyHistogram', function () {
  const shapes: Record<string, (r: () => number) => number> = {
    'log-normal around 1 ms': (r) => Math.exp(Math.sqrt(-2 * Math.log(r() || 1e-12)) * Math.cos(2 * Math.PI * r()) * 0.6),
    'uniform 0.1-50 ms': (r) => 0.1 + r() * 49.9,
    'bimodal with a slow tail': (r) => (r() < 0.97 ? 0.5 + r() : 200 + r() * 3000),
  };

  for (const [name, draw] of Object.entries(shapes)) {
    it(`keeps p50, p95, p99 within 1% of the exact values (${name}), merged from per-minute parts`, function () {
      const random = mulberry32(7);
      const values = Array.from({ length: 50_000 }, () => draw(random));
      const total = new LatencyHistogram();
      for (let part = 0; part < 10; part++) {
        const minute = new LatencyHistogram();
        for (const value of values.slice(part * 5000, (part + 1) * 5000)) minute.add(value);
        // Half the parts come back through the Postgres (sparse) form, half through the SQLite (compact) one.
        const stored = part % 2 === 0 ? minute.toJSON() : minute.toCompactJSON();
        total.mergeJSON(JSON.parse(JSON.stringify(stored)) as StoredHistogramJSON);
      }
      expect(total.count).to.equal(values.length);
      expect(total.max).to.equal(Math.max(...values));
      expect(total.sum).to.be.closeTo(
        values.reduce((a, b) => a + b, 0),
        1e-6,
      );
      for (const q of [0.5, 0.95, 0.99, 0.999]) {
        const exact = exactQuantile(values, q);
        const estimate = total.quantile(q);
        expect(Math.abs(estimate - exact) / exact, `q=${q}: ${estimate} vs ${exact}`).to.be.lessThan(0.01);
      }
    });
  }

  it('is exact at the extremes and empty when empty', function () {
    const histogram = new LatencyHistogram();
    expect(histogram.quantile(0.5)).to.be.NaN;
    histogram.add(3.25);
    expect(histogram.quantile(0.99)).to.equal(3.25);
    histogram.add(7);
    expect(histogram.quantile(1)).to.equal(7);
  });

  it('keeps the sparse (Postgres) form exactly as before: bucket keys, counts, n, s, m', function () {
    const histogram = new LatencyHistogram();
    for (const value of [1, 1, 2.5, 0.0005, 400]) histogram.add(value);
    // ceil(ln(v / 0.001) / ln(1.01)): the same rule the Postgres migrations apply in SQL.
    expect(histogram.toJSON()).to.deep.equal({ b: { '0': 1, '695': 2, '787': 1, '1297': 1 }, n: 5, s: 404.5005, m: 400 });
    expect(new LatencyHistogram().toJSON()).to.deep.equal({ b: {}, n: 0, s: 0, m: 0 });
  });

  it('writes the compact form as counts from the first bucket, with a negative entry per run of empty buckets', function () {
    const histogram = new LatencyHistogram();
    const first = LatencyHistogram.bucketOf(1);
    for (const bucket of [first, first, first + 1, first + 5]) histogram.add(LatencyHistogram.valueOf(bucket));
    expect(histogram.toCompactJSON()).to.deep.include({ o: first, c: [2, 1, -3, 1], n: 4 });
    expect(new LatencyHistogram().toCompactJSON()).to.deep.equal({ o: 0, c: [], n: 0, s: 0, m: 0 });
  });

  it('round-trips through the compact form: same buckets, count, sum, max and quantiles', function () {
    const random = mulberry32(3);
    const original = new LatencyHistogram();
    for (let i = 0; i < 5000; i++) original.add(random() < 0.98 ? 0.3 + random() * 2 : 20 + random() * 400);
    const text = JSON.stringify(original.toCompactJSON());
    const restored = LatencyHistogram.fromJSON(JSON.parse(text) as CompactHistogramJSON);
    expect(restored.toJSON()).to.deep.equal(original.toJSON());
    expect([restored.count, restored.sum, restored.max]).to.deep.equal([original.count, original.sum, original.max]);
    for (const q of [0, 0.5, 0.95, 0.99, 1]) expect(restored.quantile(q), `q=${q}`).to.equal(original.quantile(q));
  });

  it('reads the sparse form stored before the compact one, alone or mixed with compact rows', function () {
    // Literally what the previous version wrote (and what Postgres holds): string keys, unordered.
    const sparse: SparseHistogramJSON = { b: { '787': 1, '695': 2, '0': 1 }, n: 4, s: 4.5005, m: 2.5 };
    const fromSparse = LatencyHistogram.fromJSON(sparse);
    expect(fromSparse.toJSON()).to.deep.equal({ b: { '0': 1, '695': 2, '787': 1 }, n: 4, s: 4.5005, m: 2.5 });
    expect(fromSparse.quantile(0.5)).to.be.closeTo(1, 0.01);

    const mixed = new LatencyHistogram();
    mixed.mergeJSON(sparse);
    mixed.mergeJSON(fromSparse.toCompactJSON());
    expect(mixed.toJSON()).to.deep.equal({ b: { '0': 2, '695': 4, '787': 2 }, n: 8, s: 9.001, m: 2.5 });
    expect(LatencyHistogram.fromJSON({ b: {}, n: 0, s: 0, m: 0 }).max).to.equal(Number.NEGATIVE_INFINITY);
  });

  it('merges to the same histogram however the parts are combined, including ranges that widen both ways', function () {
    const random = mulberry32(5);
    // Parts far apart on purpose: each merge extends the target below or above what it holds.
    const ranges = [
      [50, 60],
      [0.2, 0.4],
      [3000, 9000],
      [0.0001, 0.002],
      [1, 2],
    ] as const;
    const parts = ranges.map(([low, high]) => Array.from({ length: 300 }, () => low + random() * (high - low)));
    const all = new LatencyHistogram();
    for (const value of parts.flat()) all.add(value);
    const byMerge = new LatencyHistogram();
    const byCompact = new LatencyHistogram();
    const bySparse = new LatencyHistogram();
    for (const values of parts) {
      const part = new LatencyHistogram();
      for (const value of values) part.add(value);
      byMerge.merge(part);
      byCompact.mergeJSON(part.toCompactJSON());
      bySparse.mergeJSON(part.toJSON());
    }
    for (const merged of [byMerge, byCompact, bySparse]) {
      expect(merged.toJSON().b).to.deep.equal(all.toJSON().b);
      expect(merged.toCompactJSON().c).to.deep.equal(all.toCompactJSON().c);
      expect(merged.count).to.equal(all.count);
      expect(merged.max).to.equal(all.max);
      expect(merged.sum).to.be.closeTo(all.sum, 1e-6);
      for (const q of [0.01, 0.25, 0.5, 0.75, 0.99]) expect(merged.quantile(q), `q=${q}`).to.equal(all.quantile(q));
    }
    // Merging an empty histogram, in either form, changes nothing.
    byMerge.merge(new LatencyHistogram());
    byMerge.mergeJSON(new LatencyHistogram().toCompactJSON());
    expect(byMerge.toJSON()).to.deep.equal(byCompact.toJSON());
  });

  it('keeps an absurd value (huge or infinite) in the top bucket instead of failing', function () {
    const histogram = new LatencyHistogram();
    for (const value of [1, 1e300, Number.MAX_VALUE]) histogram.add(value);
    expect(histogram.quantile(1)).to.equal(Number.MAX_VALUE);
    expect(histogram.quantile(0)).to.be.closeTo(1, 0.01);
    expect(LatencyHistogram.bucketOf(Number.POSITIVE_INFINITY)).to.equal(LatencyHistogram.bucketOf(Number.MAX_VALUE));
    histogram.add(Number.POSITIVE_INFINITY);
    expect(histogram.count).to.equal(4);
    expect(histogram.toJSON().b[LatencyHistogram.bucketOf(Number.MAX_VALUE)]).to.equal(2);
  });
});
