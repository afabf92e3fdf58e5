import type { MonitoringReader, StoredPrediction } from '@vigil/stores';
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

/**
 * The monitoring endpoints' answers, from the per-minute rollups of
 * whichever store the reader wraps. Windows are whole minutes: "1h" is the
 * current minute and the 60 before it, so answers cost the same however
 * many predictions the window holds.
 */
export class MonitoringService {
  constructor(
    private readonly reader: MonitoringReader,
    private readonly now: () => number = Date.now,
  ) {}

  private sinceMinute(window: TimeWindow): number {
    return Math.floor((this.now() - window.ms) / 60_000);
  }

  async latency(window: TimeWindow, modelVersion?: string): Promise<LatencySummary> {
    const { latency } = await this.reader.summarySince(this.sinceMinute(window), modelVersion);
    const count = latency.count;
    if (count === 0) return { window: window.label, count, p50: null, p95: null, p99: null, mean: null, max: null };
    return {
      window: window.label,
      count,
      p50: latency.quantile(0.5),
      p95: latency.quantile(0.95),
      p99: latency.quantile(0.99),
      mean: latency.sum / count,
      max: latency.max,
    };
  }

  async recent(limit: number): Promise<StoredPrediction[]> {
    return this.reader.recentPredictions(limit);
  }

  async distribution(window: TimeWindow, modelVersion?: string): Promise<Distribution> {
    const { fraud, non_fraud } = await this.reader.summarySince(this.sinceMinute(window), modelVersion, { latency: false });
    const total = fraud + non_fraud;
    return { window: window.label, fraud, non_fraud, total, fraud_rate: total === 0 ? null : fraud / total };
  }
}
