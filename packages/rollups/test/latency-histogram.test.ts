import { expect } from 'chai';
import { LatencyHistogram } from '@vigil/rollups';

/** numpy's default percentile (linear), computed here over the raw values to compare against. */
function exactQuantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = q * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.min(low + 1, sorted.length - 1);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (rank - low);
}

/** Seeded so a failure reproduces. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
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
        total.merge(LatencyHistogram.fromJSON(JSON.parse(JSON.stringify(minute.toJSON()))));
      }
      expect(total.count).to.equal(values.length);
      expect(total.max).to.equal(Math.max(...values));
      expect(total.sum).to.be.closeTo(values.reduce((a, b) => a + b, 0), 1e-6);
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
});
