import type { RequestCounter } from '@vigil/alerts';
import type { ApiMetrics } from '@vigil/metrics';
import type { AnswerCounter } from './request-logging';

/** vigil_http_requests_total, and the error-rate rules' request counts. */
export function answerCounter(metrics: ApiMetrics, requests: RequestCounter | undefined): AnswerCounter {
  return {
    count(route, method, status) {
      metrics.httpRequests.inc({ route, method, status: String(status) });
      requests?.record(status);
    },
  };
}
