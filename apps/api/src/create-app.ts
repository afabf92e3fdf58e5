import express, { type Express } from 'express';
import type { ApiAlerting } from '@vigil/alerts';
import type { ApiMetrics, ProcessLogger } from '@vigil/metrics';
import type { ModelRunner, ShadowScorer } from '@vigil/model';
import type { ShadowRequest } from './start-shadow';
import type { CompareService, CompletenessService, MonitoringService, PerformanceService, TimeseriesService } from '@vigil/monitoring';
import type { DriftService } from '@vigil/drift';
import type { LabelLogger, PredictionLogger } from '@vigil/prediction-log';
import type { LabelReader } from '@vigil/stores';
import type { ExportSource } from '@vigil/export';
import type { DeadLetterQueue, QueueInspector } from '@vigil/queue';
import { ApiError } from './api-errors';
import { errorBoundary, notFound } from './error-boundary';
import { healthRouter } from './routes/health';
import type { Readiness } from './readiness';
import { dashboardRouter } from './dashboard/dashboard-router';
import { queueBoard, QUEUE_BOARD_PATH } from './dashboard/queue-board';
import { adminRouter } from './routes/admin';
import { queueRouter } from './routes/queue';
import { alertsRouter } from './routes/alerts';
import { completenessRouter } from './routes/completeness';
import { exportRouter } from './routes/export';
import { driftRouter } from './routes/drift';
import { feedbackRouter } from './routes/feedback';
import { labelsRouter } from './routes/labels';
import { monitoringRouter } from './routes/monitoring';
import { openapiRouter } from './routes/openapi';
import { performanceRouter } from './routes/performance';
import { compareRouter } from './routes/compare';
import { predictRouter } from './routes/predict';
import { accessGuard } from './security/access-guard';
import { accessKeys } from './security/access-keys';
import { bearerAuth } from './security/bearer-auth';
import { foreignErrors } from './security/foreign-errors';
import { jsonBody } from './security/json-body';
import { rateLimit, type SharedRateLimitStore } from './security/rate-limit';
import type { FeatureRedactor } from './security/redact-features';
import { securityHeaderList } from './security/security-headers';
import { requestEnvelope } from './request-logging';
import { answerCounter } from './answer-counter';
import type { SecurityOptions } from './security/security-options';

/** Everything the HTTP layer needs, built by start-api (or a test). */
export interface AppDependencies {
  readonly model: ModelRunner;
  /** A challenger that scores each answered request off the response path (SHADOW_MODEL_PATH); undefined: none. */
  readonly shadow?: ShadowScorer<ShadowRequest> | undefined;
  readonly predictionLogger: PredictionLogger | undefined;
  /** Takes POST /feedback's labels; undefined when logging is off. */
  readonly labelLogger?: LabelLogger | undefined;
  /** Unmatched labels behind /monitoring/labels/unmatched, from the monitoring store; undefined: the endpoint answers 503. */
  readonly labels?: LabelReader | undefined;
  /** Realized and estimated quality behind /monitoring/performance, from the monitoring store; undefined: the endpoints answer 503. */
  readonly performance?: PerformanceService | undefined;
  readonly monitoring: MonitoringService;
  readonly metrics: ApiMetrics;
  /** Access lines (the request envelope) and errors; its level decides which access lines are written. */
  readonly logger: ProcessLogger;
  /** What /readyz reports: the checks, and whether shutdown has begun. */
  readonly readiness: Readiness;
  readonly bodyLimitBytes: number;
  readonly maxInstancesPerRequest: number;
  /**
   * Bearer keys, rate limit, HSTS; the validated Config satisfies it.
   * @defaultValue `{}`: endpoints open, no rate limit, no HSTS (the other security headers are always sent)
   */
  readonly security?: SecurityOptions;
  /**
   * Where the rate limit's counts are shared by every replica (Redis).
   * @defaultValue undefined: each process counts alone (prediction logging off: no Redis client)
   */
  readonly sharedRateLimit?: SharedRateLimitStore | undefined;
  /**
   * Applied to each prediction record's features before it is logged.
   * @defaultValue undefined: records carry the features as sent
   */
  readonly redactFeatures?: FeatureRedactor | undefined;
  /** Drift against the training reference, behind /monitoring/drift. */
  readonly drift?: DriftService | undefined;
  /** Alert rules and state behind /monitoring/alerts; the request counter feeds error-rate rules. */
  readonly alerting?: ApiAlerting | undefined;
  /** The dead-letter queue behind /admin/dead-letters; undefined when logging is off. */
  readonly deadLetters?: DeadLetterQueue | undefined;
  /** The log queue behind /monitoring/queue and bull-board at /admin/queues; undefined when logging is off. */
  readonly queue?: QueueInspector | undefined;
  /** Counts and latency per step behind /monitoring/timeseries (the /dashboard page's charts). */
  readonly timeseries?: TimeseriesService | undefined;
  /** Records per API instance by where they are, behind /monitoring/completeness; undefined when logging is off. */
  readonly completeness?: CompletenessService | undefined;
  /** Champion against the shadow model behind /monitoring/compare; undefined: the endpoint answers 503. */
  readonly compare?: CompareService | undefined;
  /** The stored rows behind /monitoring/export (openExportSource); undefined: the endpoint answers 503. */
  readonly exportSource?: ExportSource | undefined;
}

/** Every path under these needs the read key to read and the admin key to change anything (when the keys are set). */
const MONITORING_KEY_PREFIXES = ['/monitoring', '/admin'] as const;

/** Orchestrator probes are never rate limited: a throttled probe would pull a healthy replica out of service. */
const PROBES = new Set(['/healthz', '/readyz']);

/** Wiring only: the logic lives in the packages. */
export function createApp(deps: AppDependencies): Express {
  const app = express();
  const security = deps.security ?? {};
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  // req.ip, which the rate limiter counts by: the TCP peer unless TRUST_PROXY names the proxies in front.
  app.set('trust proxy', security.trustProxy ?? false);
  // First of all: every answer, errors and 404s included, carries its X-Request-Id and the
  // security headers, is counted, and gets an access line.
  const answers = answerCounter(deps.metrics, deps.alerting?.requestCounter);
  app.use(requestEnvelope({ logger: deps.logger, headers: securityHeaderList({ hstsMaxAgeSeconds: security.hstsMaxAgeSeconds }), counter: answers }));
  // Limit, then authenticate, then read the body: a client over its limit or
  // without a key never makes us parse a megabyte of JSON.
  if (security.rateLimitPerMinute !== undefined) {
    app.use(rateLimit({ perMinute: security.rateLimitPerMinute, skip: (req) => PROBES.has(req.path), shared: deps.sharedRateLimit }));
  }
  // A browser opens bull-board and cannot add a Bearer header to it: the board takes the keys
  // itself (Bearer, or HTTP Basic with the key as password), so it is mounted before the /admin check.
  if (deps.queue) app.use(QUEUE_BOARD_PATH, queueBoard({ inspector: deps.queue, keys: security }));
  app.use([...MONITORING_KEY_PREFIXES], accessGuard({ keys: accessKeys(security) }));
  if (security.predictApiKey !== undefined) {
    app.use('/predict', bearerAuth({ key: security.predictApiKey, realm: 'predict' }));
  }
  const feedbackKey = security.feedbackApiKey ?? security.predictApiKey;
  if (feedbackKey !== undefined) app.use('/feedback', bearerAuth({ key: feedbackKey, realm: 'feedback' }));
  app.use(jsonBody({ limitBytes: deps.bodyLimitBytes }));
  // Express would answer OPTIONS itself, in text/html; no browser calls this API (there is no CORS), so say no in JSON.
  app.use((req, _res, next) => {
    next(req.method === 'OPTIONS' ? new ApiError('METHOD_NOT_ALLOWED', 'OPTIONS is not supported', { method: req.method }) : undefined);
  });

  app.use(
    predictRouter({
      model: deps.model,
      shadow: deps.shadow,
      logger: deps.predictionLogger,
      metrics: deps.metrics,
      maxInstances: deps.maxInstancesPerRequest,
      redact: deps.redactFeatures,
    }),
  );
  app.use(feedbackRouter({ logger: deps.labelLogger }));
  app.use(monitoringRouter(deps.monitoring, deps.timeseries));
  app.use(labelsRouter(deps.labels));
  app.use(performanceRouter(deps.performance));
  app.use(compareRouter(deps.compare));
  if (deps.drift) app.use(driftRouter(deps.drift));
  if (deps.alerting) app.use(alertsRouter(deps.alerting.rules, deps.alerting.store));
  app.use(adminRouter(deps.deadLetters));
  app.use(queueRouter(deps.queue));
  app.use(completenessRouter(deps.completeness));
  app.use(exportRouter({ source: deps.exportSource, featureNames: deps.model.spec.features.map((f) => f.name), logger: deps.logger }));
  app.use(openapiRouter(deps));
  app.use(dashboardRouter());
  app.use(healthRouter(deps.readiness, deps.metrics.registry));

  app.use(notFound);
  app.use(foreignErrors());
  app.use(errorBoundary(deps.logger));
  return app;
}
