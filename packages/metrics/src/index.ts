export { createApiMetrics, LATENCY_BUCKETS_SECONDS } from './api-metrics';
export type { ApiMetrics } from './api-metrics';
export { createWorkerMetrics } from './worker-metrics';
export type { WorkerMetrics } from './worker-metrics';
export { createLogger } from './logger';
export type { Logger, LogLevel } from './logger';
