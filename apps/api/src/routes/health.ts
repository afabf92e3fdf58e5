import { Router } from 'express';
import type { Registry } from 'prom-client';
import type { Readiness } from '../readiness';

/**
 * The probes and /metrics. /healthz is liveness: 200 while the process runs,
 * whatever its dependencies do, so an orchestrator never restarts a replica
 * for an outage elsewhere. /readyz is whether to route traffic here (see Readiness).
 */
export function healthRouter(readiness: Readiness, registry: Registry): Router {
  const router = Router();

  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.get('/readyz', async (_req, res) => {
    const { ready, status, checks } = await readiness.report();
    res.status(ready ? 200 : 503).json({ status, checks });
  });

  router.get('/metrics', async (_req, res) => {
    res.type(registry.contentType).send(await registry.metrics());
  });

  return router;
}
