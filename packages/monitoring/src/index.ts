export { MonitoringService } from './monitoring-service';
export type { Distribution, LatencySummary } from './monitoring-service';
export { mergePerStep, TimeseriesService, MAX_TIMESERIES_POINTS } from './timeseries';
export type { Timeseries, TimeseriesPoint } from './timeseries';
export { parseLimit, parseModelVersion, parseWindow, MAX_WINDOW_MS } from './window';
export type { TimeWindow } from './window';
export { MonitoringError } from './errors';
export type { MonitoringErrorCode } from './errors';
