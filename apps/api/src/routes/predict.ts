import { Router, type Request } from 'express';
import type { ApiMetrics } from '@vigil/metrics';
import { findFeatureProblems, ModelError, type FeatureProblem, type FeatureRecord, type ModelRunner, type ShadowScorer } from '@vigil/model';
import type { PredictionLogger } from '@vigil/prediction-log';
import { newPredictionId, type PredictionRecord } from '@vigil/records';
import { ApiError } from '../api-errors';
import type { FeatureRedactor } from '../security/redact-features';
import type { ShadowRequest } from '../start-shadow';
import { traceIdOf } from '@vigil/records';
import { predictAnswerSerializer, sendJson, type PredictionResult } from './predict-answer';

export interface PredictRouteOptions {
  readonly model: ModelRunner;
  /** Scores each answered request again, after the answer; undefined: no challenger. */
  readonly shadow?: ShadowScorer<ShadowRequest> | undefined;
  /** undefined when PREDICTION_LOGGING=off. */
  readonly logger: PredictionLogger | undefined;
  readonly metrics: ApiMetrics;
  readonly maxInstances: number;
  /** Applied to the logged copy of each instance's features; the model always scores what was sent. */
  readonly redact?: FeatureRedactor | undefined;
}

/** Pulls the instances out of `{features}` or `{instances}`, or says exactly what is wrong. */
function readInstances(req: Request, options: PredictRouteOptions): { records: FeatureRecord[]; batch: boolean } {
  if (!req.is('application/json')) {
    throw new ApiError('UNSUPPORTED_MEDIA_TYPE', 'POST /predict takes Content-Type: application/json', {
      where: 'headers.content-type',
      received: String(req.headers['content-type'] ?? '').slice(0, 100),
    });
  }
  const body: unknown = req.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ApiError('INVALID_REQUEST', 'The body must be a JSON object with "features" or "instances"', { where: 'body' });
  }
  const keys = Object.keys(body);
  const extra = keys.filter((key) => key !== 'features' && key !== 'instances');
  if (extra.length > 0 || keys.length !== 1) {
    throw new ApiError('INVALID_REQUEST', 'The body must have exactly one of "features" (one instance) or "instances" (a batch)', {
      where: 'body',
      unexpected: extra.slice(0, 10).map((key) => key.slice(0, 64)),
    });
  }
  const spec = options.model.spec;
  const problems: FeatureProblem[] = [];
  if ('features' in body) {
    problems.push(...findFeatureProblems(spec, body.features, 'features'));
    if (problems.length > 0) throw invalidFeatures(problems);
    return { records: [body.features as FeatureRecord], batch: false };
  }
  const instances = (body as { instances: unknown }).instances;
  if (!Array.isArray(instances) || instances.length === 0) {
    throw new ApiError('INVALID_REQUEST', '"instances" must be a non-empty array of feature objects', { where: 'instances' });
  }
  if (instances.length > options.maxInstances) {
    throw new ApiError('TOO_MANY_INSTANCES', `"instances" may hold at most ${options.maxInstances} items`, {
      where: 'instances',
      limit: options.maxInstances,
      received: instances.length,
    });
  }
  for (let i = 0; i < instances.length && problems.length < 50; i++) {
    problems.push(...findFeatureProblems(spec, instances[i], `instances[${i}]`));
  }
  if (problems.length > 0) throw invalidFeatures(problems);
  return { records: instances as FeatureRecord[], batch: true };
}

function invalidFeatures(problems: FeatureProblem[]): ModelError {
  const first = problems[0];
  return new ModelError(
    'INVALID_FEATURES',
    `Invalid features: ${first?.path} ${first?.problem}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}`,
    {
      problems: problems.slice(0, 50),
    },
  );
}

export function predictRouter(options: PredictRouteOptions): Router {
  const router = Router();
  const { model, shadow, logger, metrics, redact } = options;
  // Made once, not per request: the label sets never change for this model.
  const version = { model_version: model.version };
  const fraud = { ...version, class: 'fraud' };
  const nonFraud = { ...version, class: 'non_fraud' };
  const answer = predictAnswerSerializer(model.version);

  router.post('/predict', async (req, res) => {
    const started = performance.now();
    const { records, batch } = readInstances(req, options);
    const scores = await model.score(records);
    const latencyMs = performance.now() - started;
    // One timestamp per request: its instances were scored together.
    const timestamp = new Date().toISOString();
    const traceId = logger === undefined ? undefined : traceIdOf(req.headers.traceparent);
    const logged: PredictionRecord[] = [];
    const results: PredictionResult[] = scores.map((score, i) => {
      const prediction_id = newPredictionId();
      if (logger !== undefined) {
        const features = records[i] as FeatureRecord;
        const record: PredictionRecord = {
          prediction_id,
          timestamp,
          model_version: model.version,
          // Redacted here, so the queue, the spool and the stores never see the value.
          features: redact === undefined ? features : redact(features),
          prediction: score.prediction,
          probability: score.probability,
          latency_ms: latencyMs,
          ...(traceId === undefined ? {} : { trace_id: traceId }),
        };
        logged.push(record);
      }
      metrics.predictions.inc(score.prediction === 1 ? fraud : nonFraud);
      metrics.probability.observe(version, score.probability);
      return { prediction_id, model_version: model.version, prediction: score.prediction, probability: score.probability, latency_ms: latencyMs };
    });
    // Hand-off only, in one journal write for the whole request: the batcher never blocks and never throws at us.
    if (logger !== undefined) logger.logAll(logged);
    metrics.predictionLatency.observe(version, latencyMs / 1000);
    sendJson(res, batch ? answer.batch(results) : answer.one(results[0] as PredictionResult));
    // After the answer: the challenger sees what the champion scored (unredacted), under the same ids.
    shadow?.submit(records, { predictionIds: results.map((result) => result.prediction_id), timestamp });
  });

  router.get('/model', (_req, res) => {
    res.json({ model_version: model.version, max_instances_per_request: options.maxInstances, spec: model.spec });
  });

  return router;
}
