import { Router } from 'express';
import {
  MonitoringError,
  parseLimit,
  parseModelVersion,
  parseWindow,
  type MonitoringService,
  type TimeseriesService,
  type TimeWindow,
} from '@vigil/monitoring';
import { ApiError } from '../api-errors';
import { onlyParameters } from './query-parameters';

/** A step is a window-like duration ("1m", "5m", "1h"); errors name the step parameter. */
function parseStep(raw: unknown): TimeWindow {
  try {
    return parseWindow(raw, '1m');
  } catch (error) {
    if (!(error instanceof MonitoringError)) throw error;
    throw new MonitoringError('INVALID_QUERY_PARAMETER', 'step must be a whole number followed by m, h or d (e.g. 1m, 5m, 1h)', { parameter: 'step' });
  }
}

/**
 * Latency, recent predictions and the class distribution, from the store the
 * API reads; and the counts and latency per step that the /dashboard page's
 * charts draw (GET /monitoring/timeseries).
 */
export function monitoringRouter(monitoring: MonitoringService, timeseries?: TimeseriesService): Router {
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

  router.get('/monitoring/timeseries', async (req, res) => {
    onlyParameters(req, ['window', 'step', 'model_version']);
    if (timeseries === undefined) throw new ApiError('NOT_READY', 'No monitoring store is configured', {});
    res.json(await timeseries.series(parseWindow(req.query.window), parseStep(req.query.step), parseModelVersion(req.query.model_version)));
  });

  return router;
}
