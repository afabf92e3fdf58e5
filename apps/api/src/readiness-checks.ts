import type { LoggerHealth } from '@vigil/prediction-log';
import { CHECK_OK, type CheckResult, type ReadinessCheck } from './readiness';

/** The prediction logger as readiness sees it (`PredictionLogger.health()`, read without I/O). */
export interface LoggerHealthSource {
  health(): LoggerHealth;
}

/**
 * The model is loaded before the API listens, and a load failure stops
 * start-up, so once /readyz can be asked this holds; it stays named so the
 * answer says what was checked.
 */
export const modelLoaded: ReadinessCheck = () => CHECK_OK;

/**
 * Redis and the journal, as the prediction logger sees them. Redis away is
 * only `degraded`: records wait in the journal and are replayed, so the
 * replica keeps its promise. A journal that is full or cannot be written is
 * `failed`: a prediction answered now could not be kept.
 */
export function loggerChecks(logger: LoggerHealthSource): Record<'redis' | 'journal', ReadinessCheck> {
  return {
    redis: (): CheckResult => (logger.health().redis === 'up' ? CHECK_OK : { level: 'degraded', state: 'down' }),
    journal: journalCheck(logger),
  };
}

/** A logger's journal alone: the label logger shares the prediction logger's Redis, so only its journal is a check of its own. */
export function journalCheck(logger: LoggerHealthSource): ReadinessCheck {
  return (): CheckResult => {
    const health = logger.health();
    if (!health.journalWritable) return { level: 'failed', state: 'unwritable' };
    if (health.full) return { level: 'failed', state: 'full' };
    return CHECK_OK;
  };
}
