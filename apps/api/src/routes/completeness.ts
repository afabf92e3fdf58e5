import { Router } from 'express';
import { parseGrace, type CompletenessService } from '@vigil/monitoring';
import { ApiError } from '../api-errors';
import { onlyParameters } from './query-parameters';

/**
 * GET /monitoring/completeness[?grace=60s]: per API instance, the records it
 * served and where each one is (stored, in flight, spooled, dead-lettered,
 * missing), so "no acknowledged prediction lost" is something to check.
 */
export function completenessRouter(completeness: CompletenessService | undefined): Router {
  const router = Router();

  router.get('/monitoring/completeness', async (req, res) => {
    onlyParameters(req, ['grace']);
    const graceMs = parseGrace(req.query.grace, completeness?.defaultGraceMs ?? 0);
    if (completeness === undefined) throw new ApiError('NOT_READY', 'Prediction logging is off: there are no instance reports to compare the store with', {});
    res.json(await completeness.report(graceMs));
  });

  return router;
}
