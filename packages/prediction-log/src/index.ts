export { Batcher } from './batcher';
export type { BatcherOptions } from './batcher';
export { createPredictionLogger, LOG_BATCH_DEFAULTS } from './prediction-logger';
export type { PredictionLogger, PredictionLoggerEvents, PredictionLoggerOptions } from './prediction-logger';
export type { LoggerHealth, LoggerProgress } from './logger-health';
export type { JournalFsync, JournalOptions } from './journal/journal';
export type { JournalDestination } from './journal/destination';
export { redisUrlAddress } from './journal/destination';
export type { ForeignJournal } from './journal/adoption';
