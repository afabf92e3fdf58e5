export { Batcher } from './batcher';
export type { BatcherOptions } from './batcher';
export { DiskSpool } from './disk-spool';
export type { DiskSpoolOptions, SpooledBatch } from './disk-spool';
export { createPredictionLogger, LOG_BATCH_DEFAULTS } from './prediction-logger';
export type { PredictionLogger, PredictionLoggerEvents, PredictionLoggerOptions } from './prediction-logger';
