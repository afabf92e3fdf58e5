/**
 * Every Redis name derived from the base queue name (QUEUE_NAME), in one
 * place, as bullmq's queue-keys.ts does for its own keys. Operators, the
 * dashboards and older processes know these names: they must not change.
 */
export interface QueueNames {
  /** The log queue: one job per batch of prediction records. */
  readonly log: string;
  /** Records the worker could not store, waiting for a person (never consumed). */
  readonly deadLetter: string;
  /** The job scheduler's queue whose every tick is one alert evaluation round. */
  readonly alertEvaluations: string;
  /** One webhook delivery job per alert state change and webhook. */
  readonly notifications: string;
  /** Redis key prefix of the API's per-minute request counts (see RequestCounter in @vigil/alerts). */
  readonly requestCountPrefix: string;
  /** Redis hash of the API instances' logger progress (field: instance id), read by /monitoring/completeness. */
  readonly instances: string;
  /** Redis key prefix of the per-client request counts every API replica's rate limiter shares (RATE_LIMIT_PER_MINUTE). */
  readonly rateLimitPrefix: string;
}

/** The names of every queue and key that belong to the log queue `name`. */
export function queueNames(name: string): QueueNames {
  return Object.freeze({
    log: name,
    deadLetter: `${name}-dead-letter`,
    alertEvaluations: `${name}-alerts`,
    notifications: `${name}-notifications`,
    requestCountPrefix: `vigil:${name}`,
    instances: `vigil:${name}:instances`,
    rateLimitPrefix: `vigil:${name}:rate-limit`,
  });
}
