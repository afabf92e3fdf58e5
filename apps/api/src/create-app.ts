import express, { type Express } from 'express';
import type { ApiMetrics, Logger } from '@vigil/metrics';
import type { ModelRunner } from '@vigil/model';
import type { MonitoringService } from '@vigil/monitoring';
import type { PredictionLogger } from '@vigil/prediction-log';
import { errorBoundary, notFound } from './error-boundary';
import { healthRouter, type ReadinessCheck } from './routes/health';
import { monitoringRouter } from './routes/monitoring';
import { predictRouter } from './routes/predict';

/** Everything the HTTP layer needs, built by start-api (or a test). */
export interface AppDependencies {
  readonly model: ModelRunner;
  readonly predictionLogger: PredictionLogger | undefined;
  readonly monitoring: MonitoringService;
  readonly metrics: ApiMetrics;
  readonly logger: Logger;
  readonly readiness: Readonly<Record<string, ReadinessCheck>>;
  readonly bodyLimitBytes: number;
  readonly maxInstancesPerRequest: number;
}

/** Wiring only: the logic lives in the packages. */
export function createApp(deps: AppDependencies): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');

  app.use((req, res, next) => {
    res.on('finish', () => {
      // The matched route pattern, never the raw path: keeps label cardinality low.
      const route = (req.route as { path?: string } | undefined)?.path ?? 'unmatched';
      deps.metrics.httpRequests.inc({ route, method: req.method, status: String(res.statusCode) });
    });
    next();
  });
  app.use(express.json({ limit: deps.bodyLimitBytes, strict: true, type: 'application/json' }));

  app.use(predictRouter({ model: deps.model, logger: deps.predictionLogger, metrics: deps.metrics, maxInstances: deps.maxInstancesPerRequest }));
  app.use(monitoringRouter(deps.monitoring));
  app.use(healthRouter(deps.readiness, deps.metrics.registry));

  app.use(notFound);
  app.use(errorBoundary(deps.logger));
  return app;
}
