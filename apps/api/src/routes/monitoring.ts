import { Router } from 'express';
import { parseLimit, parseModelVersion, parseWindow, type MonitoringService } from '@vigil/monitoring';
import { onlyParameters } from './query-parameters';

/** Latency, recent predictions and the class distribution, from the store the API reads. */
export function monitoringRouter(monitoring: MonitoringService): Router {
  const router = Router();

  router.get('/monitoring/latency', async (req, res) => {
    onlyParameters(req, ['window', 'model_version']);
    res.json(await monitoring.latency(parseWindow(req.query.window), parseModelVersion(req.query.model_version)));
  });

  router.get('/monitoring/predictions', async (req, res) => {
    onlyParameters(req, ['limit']);
    const limit = parseLimit(req.query.limit, 50, 1000);
    const predictions = await monitoring.recent(limit);
    res.json({ limit, count: predictions.length, predictions });
  });

  router.get('/monitoring/distribution', async (req, res) => {
    onlyParameters(req, ['window', 'model_version']);
    res.json(await monitoring.distribution(parseWindow(req.query.window), parseModelVersion(req.query.model_version)));
  });

  return router;
}
