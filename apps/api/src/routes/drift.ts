import { Router } from 'express';
import type { DriftService } from '@vigil/drift';
import { MonitoringError, parseModelVersion, parseWindow } from '@vigil/monitoring';
import { onlyParameters } from './query-parameters';

/** Data drift of the logged predictions against the training reference. */
export function driftRouter(drift: DriftService): Router {
  const router = Router();

  router.get('/monitoring/drift', async (req, res) => {
    onlyParameters(req, ['window', 'model_version']);
    res.json(await drift.report(parseWindow(req.query.window), parseModelVersion(req.query.model_version)));
  });

  router.get('/monitoring/drift/timeline', async (req, res) => {
    onlyParameters(req, ['window', 'bucket', 'model_version']);
    const window = parseWindow(req.query.window, '24h');
    const bucket = parseWindow(req.query.bucket, '1h');
    if (bucket.ms > window.ms || window.ms / bucket.ms > 200) {
      throw new MonitoringError('INVALID_QUERY_PARAMETER', 'bucket must be no longer than window, and window/bucket at most 200', { parameter: 'bucket' });
    }
    res.json(await drift.timeline(window, bucket, parseModelVersion(req.query.model_version)));
  });

  return router;
}
