import type { TrustProxy } from '@vigil/config';

/**
 * The HTTP layer's security settings. Field names match the validated
 * `Config`, so start-api can pass `config` itself; every field absent means
 * open endpoints, no rate limit, no trusted proxy and no HSTS (security
 * headers are always sent).
 */
export interface SecurityOptions {
  /** The read key: /monitoring, and reads under /admin (dead letters, the queue board). */
  readonly monitoringApiKey?: string | undefined;
  /** The write key: dead-letter replays and the queue board's actions; it reads too. Unset: the read key writes as well. */
  readonly adminApiKey?: string | undefined;
  /** Bearer key for /predict. */
  readonly predictApiKey?: string | undefined;
  /** Bearer key for POST /feedback; unset: the predict key (the clients that predict usually report the outcomes). */
  readonly feedbackApiKey?: string | undefined;
  /** Requests a minute per client address; /healthz and /readyz are exempt. */
  readonly rateLimitPerMinute?: number | undefined;
  /** Express's `trust proxy`: which proxies' X-Forwarded-For names the client (`req.ip`). @defaultValue false */
  readonly trustProxy?: TrustProxy | undefined;
  /** Strict-Transport-Security max-age; absent sends no HSTS header. */
  readonly hstsMaxAgeSeconds?: number | undefined;
}
