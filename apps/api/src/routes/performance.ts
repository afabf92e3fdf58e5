import { Router } from 'express';
import { parseBucket, parseModelVersion, parseThreshold, parseWindow, type PerformanceService } from '@vigil/monitoring';
import { ApiError } from '../api-errors';
import { onlyParameters } from './query-parameters';

/** Either store answers (SQLite's quality rollups, or the Postgres audit's rows); only an app built without a quality reader cannot. */
function requireService(service: PerformanceService | undefined): PerformanceService {
  if (service === undefined) {
    throw new ApiError('NOT_READY', 'model performance is not served by this process (it has no quality reader)', { where: 'performance' });
  }
  return service;
}

/** GET /monitoring/performance and /monitoring/performance/timeline: realized quality, CBPE estimates and their gap. */
export function performanceRouter(service: PerformanceService | undefined): Router {
  const router = Router();
  router.get('/monitoring/performance', async (req, res) => {
    onlyParameters(req, ['window', 'model_version', 'threshold']);
    const window = parseWindow(req.query.window, '7d');
    const modelVersion = parseModelVersion(req.query.model_version);
    const threshold = parseThreshold(req.query.threshold);
    res.json(await requireService(service).performance(window, modelVersion, threshold));
  });
  router.get('/monitoring/performance/timeline', async (req, res) => {
    onlyParameters(req, ['window', 'bucket', 'model_version', 'threshold']);
    const window = parseWindow(req.query.window, '30d');
    const bucket = parseBucket(req.query.bucket, window);
    const modelVersion = parseModelVersion(req.query.model_version);
    const threshold = parseThreshold(req.query.threshold);
    res.json(await requireService(service).timeline(window, bucket, modelVersion, threshold));
  });
  return router;
}
