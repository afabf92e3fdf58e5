import { Router } from 'express';
import type { DeadLetterQueue } from '@vigil/queue';
import { parseLimit } from '@vigil/monitoring';
import { ApiError } from '../api-errors';

const ID = /^[A-Za-z0-9:_-]{1,128}$/;

function checkedId(raw: string | undefined): string {
  if (raw === undefined || !ID.test(raw)) {
    throw new ApiError('INVALID_REQUEST', 'A dead-letter id is 1-128 letters, digits, _ - :', { where: 'path.id' });
  }
  return raw;
}

/** The dead-letter queue over HTTP, for operators (behind the monitoring key when one is set). */
export function adminRouter(deadLetters: DeadLetterQueue | undefined): Router {
  const router = Router();
  const dlq = (): DeadLetterQueue => {
    if (deadLetters === undefined) throw new ApiError('NOT_READY', 'Prediction logging is off: there is no dead-letter queue', {});
    return deadLetters;
  };

  router.get('/admin/dead-letters', async (req, res) => {
    const limit = parseLimit(req.query.limit, 100, 1000);
    const queue = dlq();
    res.json({ count: await queue.count(), dead_letters: await queue.list(limit) });
  });

  router.get('/admin/dead-letters/:id', async (req, res) => {
    res.json(await dlq().get(checkedId(req.params.id)));
  });

  router.post('/admin/dead-letters/:id/replay', async (req, res) => {
    res.json(await dlq().replay(checkedId(req.params.id)));
  });

  return router;
}
