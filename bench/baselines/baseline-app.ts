import { once } from 'node:events';
import express, { type NextFunction, type Request, type Response } from 'express';
import { findFeatureProblems, loadModel, type FeatureRecord } from '@vigil/model';
import { newPredictionId, type PredictionRecord } from '@vigil/records';

/**
 * What every baseline API shares: the same model, the same validation, the
 * same answer as Vigil's POST /predict, on Express with express.json. Only
 * what happens to the log record differs, and that is the baseline's
 * `logPrediction`. It carries none of Vigil's other middleware (security
 * headers, request metrics, rate limit), which if anything flatters the
 * baselines.
 */
export async function serveBaseline(name: string, logPrediction: (record: PredictionRecord) => void | Promise<void>): Promise<void> {
  const port = Number(process.env.PORT ?? '0');
  const model = await loadModel({ modelPath: 'artifacts/model.onnx', specPath: 'artifacts/model.spec.json' });
  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: 1024 * 1024 }));

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.post('/predict', async (req: Request, res: Response, next: NextFunction) => {
    try {
      const started = performance.now();
      const body = req.body as { features?: unknown; instances?: unknown };
      const instances: unknown[] = body.features !== undefined ? [body.features] : Array.isArray(body.instances) ? body.instances : [];
      const problems = instances.flatMap((instance, i) => findFeatureProblems(model.spec, instance, `instances[${i}]`));
      if (instances.length === 0 || problems.length > 0) {
        res.status(422).json({ error: { code: 'INVALID_FEATURES', details: { problems } } });
        return;
      }
      const scores = await model.score(instances as FeatureRecord[]);
      const latencyMs = performance.now() - started;
      const timestamp = new Date().toISOString();
      const results = scores.map((score, i) => ({
        prediction_id: newPredictionId(),
        model_version: model.version,
        prediction: score.prediction,
        probability: score.probability,
        latency_ms: latencyMs,
        features: instances[i] as FeatureRecord,
      }));
      await Promise.all(
        results.map((r) =>
          logPrediction({
            prediction_id: r.prediction_id,
            timestamp,
            model_version: r.model_version,
            features: r.features,
            prediction: r.prediction,
            probability: r.probability,
            latency_ms: r.latency_ms,
          }),
        ),
      );
      const answers = results.map(({ features: _features, ...answer }) => answer);
      res.json(body.features !== undefined ? answers[0] : { model_version: model.version, predictions: answers });
    } catch (error) {
      next(error);
    }
  });

  const server = app.listen(port, '127.0.0.1');
  await once(server, 'listening');
  process.stderr.write(`${name} listening on ${port}\n`);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      server.close(() => process.exit(0));
      server.closeIdleConnections();
    });
  }
}
