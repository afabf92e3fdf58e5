import { Router } from 'express';
import { parseLimit } from '@vigil/monitoring';
import type { LabelReader } from '@vigil/stores';
import { ApiError } from '../api-errors';
import { onlyParameters } from './query-parameters';

/** GET /monitoring/labels/unmatched: labels kept for predictions not stored (yet), counted and listed oldest first. */
export function labelsRouter(reader: LabelReader | undefined): Router {
  const router = Router();
  router.get('/monitoring/labels/unmatched', async (req, res) => {
    onlyParameters(req, ['limit']);
    const limit = parseLimit(req.query.limit, 100, 1000);
    // Either store answers (SQLite, or the Postgres audit's label versions); only an app built without a label reader cannot.
    if (reader === undefined) {
      throw new ApiError('NOT_READY', 'unmatched labels are not served by this process (it has no label reader)', { where: 'labels' });
    }
    const { count, labels } = await reader.unmatchedLabels(limit);
    res.json({ count, limit, labels });
  });
  return router;
}
