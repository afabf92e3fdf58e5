import { LatencyHistogram, type MinuteRollup } from '@vigil/rollups';
import type { MonitoringReader } from '@vigil/stores';
import { MonitoringError } from './errors';
import type { TimeWindow } from './window';

/** Most points one time series may have (24 hours at one a minute fits). */
export const MAX_TIMESERIES_POINTS = 1500;

/** One step of a time series: counts, and latency percentiles in milliseconds. */
export interface TimeseriesPoint {
  /** Start of the step (ISO 8601 UTC, a whole minute). */
  readonly start: string;
  readonly count: number;
  readonly fraud: number;
  readonly non_fraud: number;
  /** null when the step holds no predictions (so are the percentiles). */
  readonly p50: number | null;
  readonly p95: number | null;
  readonly p99: number | null;
}

export interface Timeseries {
  readonly window: string;
  readonly step: string;
  readonly step_seconds: number;
  readonly model_version: string | null;
  /** Oldest first; every step is present, empty ones with count 0. */
  readonly points: readonly TimeseriesPoint[];
}

/**
 * Merges per-minute rollups (any model versions) into steps of `stepMinutes`
 * starting at `fromMinute`, up to `toMinute` (exclusive). Percentiles come
 * from the merged histograms, so a step's p95 is the p95 of its predictions,
 * not an average of per-minute p95s.
 */
export function mergePerStep(rollups: readonly MinuteRollup[], fromMinute: number, toMinute: number, stepMinutes: number): TimeseriesPoint[] {
  const steps = Math.max(0, Math.ceil((toMinute - fromMinute) / stepMinutes));
  const merged = Array.from({ length: steps }, () => ({ fraud: 0, non_fraud: 0, latency: new LatencyHistogram() }));
  for (const rollup of rollups) {
    const step = merged[Math.floor((rollup.minute - fromMinute) / stepMinutes)];
    if (step === undefined) continue; // outside the range asked for
    step.fraud += rollup.fraud;
    step.non_fraud += rollup.non_fraud;
    step.latency.merge(rollup.latency);
  }
  return merged.map((step, i) => {
    const count = step.fraud + step.non_fraud;
    const quantile = (q: number) => (count === 0 ? null : step.latency.quantile(q));
    return {
      start: new Date((fromMinute + i * stepMinutes) * 60_000).toISOString(),
      count,
      fraud: step.fraud,
      non_fraud: step.non_fraud,
      p50: quantile(0.5),
      p95: quantile(0.95),
      p99: quantile(0.99),
    };
  });
}

/**
 * Counts and latency percentiles per step over a window, from the per-minute
 * rollups: "1h" by "1m" is the current minute and the 60 before it, the same
 * minutes /monitoring/latency and /monitoring/distribution sum over.
 */
export class TimeseriesService {
  constructor(
    private readonly reader: MonitoringReader,
    private readonly now: () => number = Date.now,
  ) {}

  async series(window: TimeWindow, step: TimeWindow, modelVersion?: string): Promise<Timeseries> {
    if (step.ms > window.ms || window.ms / step.ms > MAX_TIMESERIES_POINTS) {
      throw new MonitoringError('INVALID_QUERY_PARAMETER', `step must be no longer than window, and window/step at most ${MAX_TIMESERIES_POINTS}`, {
        parameter: 'step',
        received: step.label,
      });
    }
    const now = this.now();
    const fromMinute = Math.floor((now - window.ms) / 60_000);
    const toMinute = Math.floor(now / 60_000) + 1;
    const stepMinutes = step.ms / 60_000;
    const rollups = await this.reader.minuteRollups(fromMinute, toMinute, modelVersion);
    return {
      window: window.label,
      step: step.label,
      step_seconds: step.ms / 1000,
      model_version: modelVersion ?? null,
      points: mergePerStep(rollups, fromMinute, toMinute, stepMinutes),
    };
  }
}
