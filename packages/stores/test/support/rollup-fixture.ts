import { expect } from 'chai';
import { parseWindow, type MonitoringService } from '@vigil/monitoring';
import type { PredictionRecord } from '@vigil/records';
import { predictionRecords } from '../../../../test/support/fixtures/prediction-records';
import { seededUniform as mulberry32 } from '../../../../test/support/prng';

/** 20,000 predictions over the last 3 days with a long-tailed latency (windows then span minutes, hours and days). */
export function fixture(now: number): PredictionRecord[] {
  const random = mulberry32(11);
  // The draws happen in this order for each record: timestamp, prediction, latency (one or two).
  return predictionRecords(20_000, {
    each: (n) => ({
      timestamp: new Date(now - 5 * 60_000 - Math.floor(random() * 3 * 86_400_000)).toISOString(),
      model_version: n % 10 === 0 ? 'm@2' : 'm@1',
      prediction: random() < 0.03 ? 1 : 0,
      probability: 0.5,
      latency_ms: random() < 0.98 ? 0.3 + random() * 2 : 20 + random() * 400,
    }),
  });
}

/** Exact answers over the raw rows: what the rollups must reproduce. */
function exact(records: PredictionRecord[], sinceMs: number) {
  const inWindow = records.filter((r) => Date.parse(r.timestamp) >= sinceMs);
  const sorted = inWindow.map((r) => r.latency_ms).sort((a, b) => a - b);
  const q = (p: number) => {
    const rank = p * (sorted.length - 1);
    const low = Math.floor(rank);
    return sorted[low]! + (sorted[Math.min(low + 1, sorted.length - 1)]! - sorted[low]!) * (rank - low);
  };
  return {
    count: sorted.length,
    fraud: inWindow.filter((r) => r.prediction === 1).length,
    p50: q(0.5),
    p95: q(0.95),
    p99: q(0.99),
    max: sorted[sorted.length - 1]!,
  };
}

/** The service's answers over 1h, 2h, 24h and 7d against the exact ones over `records` (all stored, none twice) at `now`. */
export async function expectMatchesRows(service: MonitoringService, records: PredictionRecord[], now: number): Promise<void> {
  for (const label of ['1h', '2h', '24h', '7d']) {
    const window = parseWindow(label);
    // Windows are whole minutes: the same boundary the service uses.
    const truth = exact(records, Math.floor((now - window.ms) / 60_000) * 60_000);
    const latency = await service.latency(window);
    const distribution = await service.distribution(window);
    expect(latency.count, label).to.equal(truth.count);
    expect(distribution.fraud, label).to.equal(truth.fraud);
    expect(latency.max, label).to.equal(truth.max);
    for (const key of ['p50', 'p95', 'p99'] as const) {
      const error = Math.abs(latency[key]! - truth[key]) / truth[key];
      expect(error, `${label} ${key}: ${latency[key]} vs exact ${truth[key]}`).to.be.lessThan(0.01);
    }
  }
}
