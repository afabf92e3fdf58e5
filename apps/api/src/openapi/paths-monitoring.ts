import type { ErrorCauses } from './error-responses';
import { json, schemaRef, type Paths, type ParameterObject } from './openapi-types';
import { operation, type DocumentContext } from './operation';
import { DRIFT_BUCKET, GRACE, limitParameter, MODEL_VERSION, PERFORMANCE_BUCKET, SHADOW_VERSION, STEP, THRESHOLD, windowParameter } from './parameters';

/** Which optional /monitoring routers create-app mounted (each only when its service is configured). */
export interface MountedMonitoring {
  readonly drift: boolean;
  readonly alerts: boolean;
}

const QUERY_ERRORS: ErrorCauses = { INVALID_QUERY_PARAMETER: 'a parameter is malformed or out of range, or unknown; `details.parameter` names it' };

interface ReadRoute {
  readonly operationId: string;
  readonly summary: string;
  readonly description?: string;
  readonly parameters: readonly ParameterObject[];
  readonly schema: string;
  readonly notReady?: string;
}

/** One GET under /monitoring: the read key, query errors, and NOT_READY when the route has a service that may be missing. */
function read(context: DocumentContext, route: ReadRoute) {
  return {
    get: operation(context, {
      operationId: route.operationId,
      summary: route.summary,
      ...(route.description === undefined ? {} : { description: route.description }),
      tag: 'monitoring',
      area: 'read',
      parameters: route.parameters,
      responses: { '200': { description: route.summary, content: json(schemaRef(route.schema)) } },
      errors: { ...QUERY_ERRORS, ...(route.notReady === undefined ? {} : { NOT_READY: route.notReady }) },
    }),
  };
}

/** Every GET under /monitoring this app serves. */
export function monitoringPaths(context: DocumentContext, mounted: MountedMonitoring): Paths {
  const window = windowParameter('1h');
  const paths: Record<string, ReturnType<typeof read>> = {
    '/monitoring/latency': read(context, {
      operationId: 'getLatency',
      summary: 'Latency percentiles, mean and max over a window',
      description: 'From per-minute rollups: p50/p95/p99 within ±0.5%, count, mean and max exact.',
      parameters: [window, MODEL_VERSION],
      schema: 'LatencySummary',
    }),
    '/monitoring/predictions': read(context, {
      operationId: 'getRecentPredictions',
      summary: 'The newest logged predictions',
      parameters: [limitParameter(50, 1000)],
      schema: 'RecentPredictions',
    }),
    '/monitoring/distribution': read(context, {
      operationId: 'getDistribution',
      summary: 'Predictions by class over a window',
      parameters: [window, MODEL_VERSION],
      schema: 'Distribution',
    }),
    '/monitoring/timeseries': read(context, {
      operationId: 'getTimeseries',
      summary: "Counts and latency per step (the /dashboard page's charts)",
      parameters: [window, STEP, MODEL_VERSION],
      schema: 'Timeseries',
      notReady: 'no monitoring store is configured',
    }),
    '/monitoring/labels/unmatched': read(context, {
      operationId: 'getUnmatchedLabels',
      summary: 'Labels whose prediction is not stored (yet), oldest first',
      parameters: [limitParameter(100, 1000)],
      schema: 'UnmatchedLabels',
      notReady: 'this process has no label reader',
    }),
    '/monitoring/performance': read(context, {
      operationId: 'getPerformance',
      summary: 'Realized quality, CBPE estimates and their gap over a window',
      description: 'Over the predictions made in the window, with their labels whenever those arrived.',
      parameters: [windowParameter('7d'), MODEL_VERSION, THRESHOLD],
      schema: 'Performance',
      notReady: 'this process has no quality reader',
    }),
    '/monitoring/performance/timeline': read(context, {
      operationId: 'getPerformanceTimeline',
      summary: 'The performance figures per bucket, oldest first',
      parameters: [windowParameter('30d'), PERFORMANCE_BUCKET, MODEL_VERSION, THRESHOLD],
      schema: 'PerformanceTimeline',
      notReady: 'this process has no quality reader',
    }),
    '/monitoring/compare': read(context, {
      operationId: 'getComparison',
      summary: 'The champion against the shadow model (SHADOW_MODEL_PATH) on the same requests',
      parameters: [window, SHADOW_VERSION],
      schema: 'Comparison',
      notReady: 'no shadow model is configured',
    }),
    '/monitoring/queue': read(context, {
      operationId: 'getQueue',
      summary: 'The log queue: jobs by state, the oldest waiting job, dead letters, recent throughput',
      parameters: [],
      schema: 'QueueReport',
      notReady: 'prediction logging is off, or Redis is not connected',
    }),
    '/monitoring/completeness': read(context, {
      operationId: 'getCompleteness',
      summary: 'Per API instance: records served, stored, in flight, spooled, dead-lettered and missing',
      parameters: [GRACE],
      schema: 'Completeness',
      notReady: 'prediction logging is off, or Redis does not answer',
    }),
  };
  if (mounted.drift) {
    paths['/monitoring/drift'] = read(context, {
      operationId: 'getDrift',
      summary: 'Data drift of the logged features and model output against the training reference',
      parameters: [window, MODEL_VERSION],
      schema: 'DriftReport',
    });
    paths['/monitoring/drift/timeline'] = read(context, {
      operationId: 'getDriftTimeline',
      summary: 'The drift verdicts per time bucket',
      parameters: [windowParameter('24h'), DRIFT_BUCKET, MODEL_VERSION],
      schema: 'DriftTimeline',
    });
  }
  if (mounted.alerts) {
    paths['/monitoring/alerts'] = read(context, {
      operationId: 'getAlerts',
      summary: 'The alert rules with their state, what fires now, and recent changes',
      parameters: [limitParameter(50, 1000)],
      schema: 'Alerts',
      notReady: 'the alert state store cannot be read',
    });
  }
  return paths;
}
