export type { QueueErrorCode } from './errors';
export { queueNames } from './queue-names';
export type { QueueNames } from './queue-names';
export { ReadyQueue } from './ready-queue';
export {
  bullConnection,
  bullPrefix,
  connectionAddress,
  createRedisConnection,
  keepsOfflineQueue,
  multiNodeAddress,
  nodeOptions,
  sameSlotPrefix,
} from './redis-connection';
export type { RedisConnection } from './redis-connection';
export {
  encodeLogBatch,
  LOG_BATCH_COLUMNS,
  LOG_BATCH_COLUMNS_V2,
  LOG_BATCH_JOB,
  LOG_BATCH_JOB_OPTIONS,
  logBatchRecords,
  parseLogBatch,
} from './jobs/log-batch/definition';
export type {
  LogBatchPayload,
  LogBatchPayloadV1,
  LogBatchPayloadV2,
  LogBatchPayloadV3,
  LogBatchPayloadV4,
  LogBatchRow,
  LogBatchRowV2,
  LogBatchRowV3,
  RecordProblem,
} from './jobs/log-batch/definition';
export { deadLetterExhaustedJob, logBatchHandler } from './jobs/log-batch/handler';
export type { LogBatchHandlerOptions, LogBatchJob, LogBatchSink } from './jobs/log-batch/handler';
export { DeadLetterQueue } from './dead-letter-queue';
export type { DeadLetter, DeadLetterKind, DeadLetterSummary } from './dead-letter-queue';
export { QueueInspector } from './queue-inspector';
export type { QueueReport, QueueState, QueueStats } from './queue-inspector';
export { formatInstanceReport, INSTANCE_REPORT_TTL_MS, parseInstanceReport, readInstanceReports } from './instance-reports';
export type { InstanceReport } from './instance-reports';
export { startInstanceReporter } from './instance-reporter';
export type { InstanceProgress, InstanceReporter, InstanceReporterOptions } from './instance-reporter';
export {
  encodeLabelBatch,
  LABEL_BATCH_COLUMNS,
  LABEL_BATCH_JOB,
  LABEL_BATCH_JOB_OPTIONS,
  labelBatchJobId,
  labelBatchRecords,
  labelId,
  parseLabelBatch,
} from './jobs/label-batch/definition';
export type { LabelBatchPayload, LabelBatchRow, LabelProblemInBatch } from './jobs/label-batch/definition';
export { deadLetterExhaustedLabelJob, labelBatchHandler } from './jobs/label-batch/handler';
export type { LabelBatchHandlerOptions, LabelBatchJob, LabelBatchSink } from './jobs/label-batch/handler';
