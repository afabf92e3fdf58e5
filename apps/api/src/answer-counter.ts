import type { RequestCounter } from '@vigil/alerts';
import type { ApiMetrics } from '@vigil/metrics';
import type { AnswerCounter } from './request-logging';

/** One counter child per route, method and status seen: a handful in practice (routes are patterns, never raw paths). */
type Child = { inc(): void };

/**
 * vigil_http_requests_total and the error-rate rules' request counts. The children are
 * bound once per label set: prom-client's inc(labels) hashes the label object on every call.
 */
export function answerCounter(metrics: ApiMetrics, requests: RequestCounter | undefined): AnswerCounter {
  const children = new Map<string, Child>();
  return {
    count(route, method, status) {
      const key = `${method} ${status} ${route}`;
      let child = children.get(key);
      if (child === undefined) {
        child = metrics.httpRequests.labels({ route, method, status: String(status) });
        children.set(key, child);
      }
      child.inc();
      requests?.record(status);
    },
  };
}
