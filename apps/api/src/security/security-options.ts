/**
 * The HTTP layer's security settings. Field names match the validated
 * `Config`, so start-api can pass `config` itself; every field absent means
 * open endpoints, no rate limit and no HSTS (security headers are always sent).
 */
export interface SecurityOptions {
  /** Bearer key for every path under /monitoring and /admin. */
  readonly monitoringApiKey?: string | undefined;
  /** Bearer key for /predict. */
  readonly predictApiKey?: string | undefined;
  /** Requests a minute per client address; /healthz and /readyz are exempt. */
  readonly rateLimitPerMinute?: number | undefined;
  /** Strict-Transport-Security max-age; absent sends no HSTS header. */
  readonly hstsMaxAgeSeconds?: number | undefined;
}
