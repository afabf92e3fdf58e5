export { newPredictionId } from './prediction-record';
export type { PredictionRecord } from './prediction-record';
export { LOG_BATCH_JOB, parseLogBatch } from './log-batch-job';
export type { LogBatchPayload, RecordProblem } from './log-batch-job';
export { Batcher } from './batcher';
export type { BatcherOptions } from './batcher';
export { createPredictionLogger, LOG_BATCH_JOB_OPTIONS } from './prediction-logger';
export type { PredictionLogger, PredictionLoggerEvents, PredictionLoggerOptions } from './prediction-logger';
