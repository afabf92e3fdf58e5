import type { Request } from 'express';
import { MonitoringError } from '@vigil/monitoring';

/** Query parameters an endpoint accepts; anything else is a client mistake worth reporting. */
export function onlyParameters(req: Request, allowed: readonly string[]): void {
  const unknown = Object.keys(req.query as object).find((key) => !allowed.includes(key));
  if (unknown !== undefined) {
    throw new MonitoringError(
      'INVALID_QUERY_PARAMETER',
      `Unknown query parameter "${unknown.slice(0, 64)}"; this endpoint takes: ${allowed.join(', ') || 'none'}`,
      {
        parameter: unknown.slice(0, 64),
        allowed,
      },
    );
  }
}
