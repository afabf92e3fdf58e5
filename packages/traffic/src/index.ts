export { parseDriftSpec } from './drift-spec';
export type { Shift } from './drift-spec';
export { createTrafficSource } from './traffic-source';
export type { TrafficSourceOptions } from './traffic-source';
export { sendTraffic } from './send-traffic';
export type { AnsweredPrediction, SendTrafficOptions, TrafficReport } from './send-traffic';
