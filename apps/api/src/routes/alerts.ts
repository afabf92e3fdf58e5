import { Router } from 'express';
import type { AlertRules, AlertStore } from '@vigil/alerts';
import { parseLimit } from '@vigil/monitoring';
import { ApiError } from '../api-errors';
import { onlyParameters } from './query-parameters';

/** The rules, what fires now, and the recent state changes. */
export function alertsRouter(rules: AlertRules, store: AlertStore): Router {
  const router = Router();
  router.get('/monitoring/alerts', async (req, res) => {
    onlyParameters(req, ['limit']);
    const limit = parseLimit(req.query.limit, 50, 1000);
    // Both reads go to the alert store: with Postgres, the state every replica and host shares.
    // A store that cannot be read (Postgres away) is a dependency that is down, not a fault of ours.
    // The driver's message names hosts and ports, so it stays out of the answer.
    const [stateList, history] = await Promise.all([store.states(), store.history(limit)]).catch(() => {
      throw new ApiError('NOT_READY', 'The alert state store cannot be read; try again shortly', { dependency: 'alert_store' });
    });
    const states = new Map(stateList.map((state) => [state.rule, state]));
    res.json({
      evaluation_interval_seconds: rules.evaluation_interval_ms / 1000,
      rules: rules.rules.map((rule) => ({
        name: rule.name,
        kind: rule.kind,
        severity: rule.severity,
        threshold: rule.threshold,
        window: rule.window,
        for: rule.for,
        description: rule.description,
        state: states.get(rule.name)?.state ?? 'inactive',
        value: states.get(rule.name)?.value ?? null,
        evaluated_at: states.get(rule.name)?.evaluated_at ?? null,
      })),
      firing: [...states.values()].filter((s) => s.state === 'firing').map(({ rule, since, value, threshold }) => ({ rule, since, value, threshold })),
      history,
    });
  });
  return router;
}
