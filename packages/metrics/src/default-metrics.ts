import { collectDefaultMetrics, type Registry } from 'prom-client';

/**
 * prom-client's gauges that end in _total, which Prometheus reserves for
 * counters (`promtool check metrics` flags them). Each has a per-type gauge
 * beside it (nodejs_active_handles{type}, ...) whose sum is the same number.
 */
const MISNAMED = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'] as const;

/** prom-client's process and Node.js metrics, less the misnamed ones. */
export function registerDefaultMetrics(registry: Registry): void {
  collectDefaultMetrics({ register: registry });
  for (const name of MISNAMED) registry.removeSingleMetric(name);
}
