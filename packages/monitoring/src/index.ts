export { MonitoringService } from './monitoring-service';
export type { Distribution, LatencySummary } from './monitoring-service';
export { parseLimit, parseModelVersion, parseWindow, MAX_WINDOW_MS } from './window';
export type { TimeWindow } from './window';
export { MonitoringError } from './errors';
export type { MonitoringErrorCode } from './errors';
