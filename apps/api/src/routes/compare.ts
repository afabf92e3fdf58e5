import { Router } from 'express';
import { parseModelVersion, parseWindow, type CompareService } from '@vigil/monitoring';
import { ApiError } from '../api-errors';
import { onlyParameters } from './query-parameters';

/** GET /monitoring/compare: the champion against the shadow model (SHADOW_MODEL_PATH) on the same requests. */
export function compareRouter(service: CompareService | undefined): Router {
  const router = Router();
  router.get('/monitoring/compare', async (req, res) => {
    onlyParameters(req, ['window', 'shadow_version']);
    const window = parseWindow(req.query.window, '1h');
    const shadowVersion = parseModelVersion(req.query.shadow_version, 'shadow_version');
    if (service === undefined) {
      throw new ApiError('NOT_READY', 'no shadow model to compare: set SHADOW_MODEL_PATH (shadow scores are read from the SQLite store)', {
        where: 'compare',
      });
    }
    res.json(await service.compare(window, shadowVersion));
  });
  return router;
}
