export { LatencyHistogram } from './latency-histogram';
export type { CompactHistogramJSON, SparseHistogramJSON, StoredHistogramJSON } from './latency-histogram';
export { emptySummary, minuteOf, rollUp } from './minute-rollup';
export type { MinuteRollup, RollupInput, RollupSummary } from './minute-rollup';
export { cascade, coarsenTo, ROLLUP_LEVELS, spanPlan } from './rollup-levels';
export type { LevelRollups, RollupLevel, SpanRange } from './rollup-levels';
