export { createApiMetrics } from './api-metrics';
export type { ApiMetrics, CompletenessSnapshot, DriftSnapshot, QueueSnapshot, ScrapeSource, ScrapeSources } from './api-metrics';
export type { QualitySnapshot } from './quality-metrics';
export { createWorkerMetrics } from './worker-metrics';
export type { WorkerMetrics } from './worker-metrics';
export { scrapeCache } from './scrape-cache';
export type { ScrapeCacheOptions } from './scrape-cache';
export { createLogger } from './logger';
export type { Logger, LogLevel, ProcessLogger } from './logger';
