export { Batcher } from './batcher';
export type { BatcherOptions } from './batcher';
export { createPredictionLogger, LOG_BATCH_DEFAULTS } from './prediction-logger';
export type { PredictionLogger, PredictionLoggerEvents, PredictionLoggerOptions } from './prediction-logger';
export type { LoggerHealth, LoggerProgress } from './logger-health';
export type { JournalFsync, JournalOptions } from './journal/journal';
export type { JournalDestination } from './journal/destination';
export { redisUrlAddress } from './journal/destination';
export type { ForeignJournal } from './journal/adoption';
export { createLabelLogger, LABEL_JOURNAL_SUBDIR, LABEL_STREAM } from './label-logger';
export type { LabelLogger } from './label-logger';
export { createShadowLogger, SHADOW_JOURNAL_SUBDIR, SHADOW_STREAM } from './shadow-logger';
export type { ShadowLogger } from './shadow-logger';
export type { JournaledLogger, JournaledLoggerEvents, JournaledLoggerOptions } from './journaled-logger';
// The public surface for model servers outside this repository (see the README): a plain function and an Express middleware.
export { createVigilLogger, DEFAULT_JOURNAL_DIR, DEFAULT_JOURNAL_MAX_BYTES } from './vigil-logger';
export type { VigilLogger, VigilLoggerOptions } from './vigil-logger';
export type { FeatureValue, VigilPrediction } from './vigil-prediction';
export { recordPrediction, vigilMiddleware } from './vigil-middleware';
export type { VigilLocal, VigilMiddlewareOptions, VigilRequestHandler, VigilResponse } from './vigil-middleware';
// Read-only views of the journal's layout on SPOOL_DIR, for `vigil spool status` (apps/cli).
export { sameDestination } from './journal/destination';
export { INSTANCES_DIR, leaseAgeMs, readOwner } from './journal/instance-directory';
export type { OwnerFile } from './journal/instance-directory';
export { directorySegments } from './journal/adopted-tree';
