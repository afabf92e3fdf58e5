import { Router, type Request } from 'express';
import { MonitoringError, parseLimit, parseModelVersion, parseWindow, type MonitoringService } from '@vigil/monitoring';

/** Query parameters each endpoint accepts; anything else is a client mistake worth reporting. */
function onlyParameters(req: Request, allowed: readonly string[]): void {
  const unknown = Object.keys(req.query as object).filter((key) => !allowed.includes(key));
  if (unknown.length > 0) {
    throw new MonitoringError('INVALID_QUERY_PARAMETER', `Unknown query parameter "${unknown[0]?.slice(0, 64)}"; this endpoint takes: ${allowed.join(', ') || 'none'}`, {
      parameter: unknown[0]?.slice(0, 64),
      allowed,
    });
  }
}

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
