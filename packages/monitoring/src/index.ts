export { MonitoringService } from './monitoring-service';
export type { Distribution, LatencySummary } from './monitoring-service';
export { parseLimit, parseWindow, MAX_WINDOW_MS } from './window';
export type { TimeWindow } from './window';
export { quantileSorted } from './percentile';
export { MonitoringError } from './errors';
export type { MonitoringErrorCode } from './errors';
