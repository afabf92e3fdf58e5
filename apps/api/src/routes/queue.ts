import { Router } from 'express';
import type { QueueInspector } from '@vigil/queue';
import { ApiError } from '../api-errors';
import { onlyParameters } from './query-parameters';

/** Minutes of BullMQ's per-minute metrics summed into the recent throughput. */
const THROUGHPUT_MINUTES = 15;

/** The log queue for operators: jobs by state, the oldest waiting job, dead letters, recent throughput. */
export function queueRouter(inspector: QueueInspector | undefined): Router {
  const router = Router();

  router.get('/monitoring/queue', async (req, res) => {
    onlyParameters(req, []);
    if (inspector === undefined) throw new ApiError('NOT_READY', 'Prediction logging is off: there is no log queue', {});
    res.json(await inspector.report(THROUGHPUT_MINUTES));
  });

  return router;
}
