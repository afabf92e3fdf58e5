import { LatencyHistogram } from './latency-histogram';

/** The fields of a prediction that rollups summarise. */
export interface RollupInput {
  readonly timestamp: string;
  readonly model_version: string;
  readonly prediction: 0 | 1;
  readonly latency_ms: number;
}

/** Everything the monitoring endpoints need about one minute of one model version. */
export interface MinuteRollup {
  /** Start of the minute, in minutes since the epoch. */
  readonly minute: number;
  readonly model_version: string;
  fraud: number;
  non_fraud: number;
  readonly latency: LatencyHistogram;
}

export function minuteOf(isoTimestamp: string): number {
  return Math.floor(Date.parse(isoTimestamp) / 60_000);
}

/**
 * Groups newly stored predictions by (minute, model version). The worker
 * feeds it only rows its insert actually added, so a redelivered batch
 * never counts twice.
 */
export function rollUp(records: Iterable<RollupInput>): MinuteRollup[] {
  const byKey = new Map<string, MinuteRollup>();
  for (const record of records) {
    const minute = minuteOf(record.timestamp);
    const key = `${minute}|${record.model_version}`;
    let rollup = byKey.get(key);
    if (rollup === undefined) {
      rollup = { minute, model_version: record.model_version, fraud: 0, non_fraud: 0, latency: new LatencyHistogram() };
      byKey.set(key, rollup);
    }
    if (record.prediction === 1) rollup.fraud += 1;
    else rollup.non_fraud += 1;
    rollup.latency.add(record.latency_ms);
  }
  return [...byKey.values()];
}

/**
 * Rollups merged `factor` keys to one (minutes to hours with 60, hours to days
 * with 24): `minute` of each result holds the coarser key. See ROLLUP_LEVELS.
 */
export function coarsen(rollups: Iterable<MinuteRollup>, factor: number): MinuteRollup[] {
  const byKey = new Map<string, MinuteRollup>();
  for (const m of rollups) {
    const coarser = Math.floor(m.minute / factor);
    const key = `${coarser}|${m.model_version}`;
    let rollup = byKey.get(key);
    if (rollup === undefined) {
      rollup = { minute: coarser, model_version: m.model_version, fraud: 0, non_fraud: 0, latency: new LatencyHistogram() };
      byKey.set(key, rollup);
    }
    rollup.fraud += m.fraud;
    rollup.non_fraud += m.non_fraud;
    rollup.latency.merge(m.latency);
  }
  return [...byKey.values()];
}

/** Several minutes merged into one summary (the answer for a window). */
export interface RollupSummary {
  fraud: number;
  non_fraud: number;
  readonly latency: LatencyHistogram;
}

export function emptySummary(): RollupSummary {
  return { fraud: 0, non_fraud: 0, latency: new LatencyHistogram() };
}
