import type { MonitoringReader, StoredPrediction } from '@vigil/stores';
import { quantileSorted } from './percentile';
import type { TimeWindow } from './window';

export interface LatencySummary {
  readonly window: string;
  readonly count: number;
  /** null when the window holds no predictions. */
  readonly p50: number | null;
  readonly p95: number | null;
  readonly p99: number | null;
  readonly mean: number | null;
  readonly max: number | null;
}

export interface Distribution {
  readonly window: string;
  readonly fraud: number;
  readonly non_fraud: number;
  readonly total: number;
  /** null when the window holds no predictions. */
  readonly fraud_rate: number | null;
}

/** The monitoring endpoints' answers, computed over whichever store the reader wraps. */
export class MonitoringService {
  constructor(
    private readonly reader: MonitoringReader,
    private readonly now: () => number = Date.now,
  ) {}

  private since(window: TimeWindow): string {
    return new Date(this.now() - window.ms).toISOString();
  }

  async latency(window: TimeWindow): Promise<LatencySummary> {
    const sorted = await this.reader.latenciesSince(this.since(window));
    const count = sorted.length;
    if (count === 0) return { window: window.label, count, p50: null, p95: null, p99: null, mean: null, max: null };
    let sum = 0;
    for (const value of sorted) sum += value;
    return {
      window: window.label,
      count,
      p50: quantileSorted(sorted, 0.5),
      p95: quantileSorted(sorted, 0.95),
      p99: quantileSorted(sorted, 0.99),
      mean: sum / count,
      max: sorted[count - 1] ?? null,
    };
  }

  async recent(limit: number): Promise<StoredPrediction[]> {
    return this.reader.recentPredictions(limit);
  }

  async distribution(window: TimeWindow): Promise<Distribution> {
    const { fraud, non_fraud } = await this.reader.classCountsSince(this.since(window));
    const total = fraud + non_fraud;
    return { window: window.label, fraud, non_fraud, total, fraud_rate: total === 0 ? null : fraud / total };
  }
}
