export { MonitoringService } from './monitoring-service';
export type { Distribution, LatencySummary } from './monitoring-service';
export { TimeseriesService } from './timeseries';
export type { Timeseries, TimeseriesPoint } from './timeseries';
export { parseLimit, parseModelVersion, parseWindow } from './window';
export type { TimeWindow } from './window';
export { MonitoringError } from './errors';
export type { MonitoringErrorCode } from './errors';
