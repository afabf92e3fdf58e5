export { LatencyHistogram } from './latency-histogram';
export type { CompactHistogramJSON, SparseHistogramJSON, StoredHistogramJSON } from './latency-histogram';
export { emptySummary, minuteOf, rollUp, rollUpDays, rollUpHours } from './minute-rollup';
export type { MinuteRollup, RollupInput, RollupSummary } from './minute-rollup';
