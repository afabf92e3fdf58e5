/** Options for {@link securityHeaderList}. */
export interface SecurityHeadersOptions {
  /**
   * Sends `Strict-Transport-Security: max-age=<this>; includeSubDomains`.
   * Off unless set: HSTS on a host reached over plain HTTP locks browsers out of it.
   * @defaultValue undefined
   */
  readonly hstsMaxAgeSeconds?: number | undefined;
}

// The API answers JSON and Prometheus text only: nothing it sends should ever
// be rendered as a page, framed, run as script, sniffed into HTML or referred.
const ALWAYS: readonly (readonly [string, string])[] = [
  ['Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"],
  ['X-Content-Type-Options', 'nosniff'],
  ['X-Frame-Options', 'DENY'],
  ['Referrer-Policy', 'no-referrer'],
  ['Cross-Origin-Opener-Policy', 'same-origin'],
  ['Cross-Origin-Resource-Policy', 'same-origin'],
  ['X-DNS-Prefetch-Control', 'off'],
  ['X-Permitted-Cross-Domain-Policies', 'none'],
];

/** The headers every answer carries: helmet's defaults, tightened for an API that never serves HTML (and HSTS when asked). */
export function securityHeaderList(options: SecurityHeadersOptions = {}): readonly (readonly [string, string])[] {
  const { hstsMaxAgeSeconds } = options;
  if (hstsMaxAgeSeconds !== undefined && !(Number.isInteger(hstsMaxAgeSeconds) && hstsMaxAgeSeconds >= 0)) {
    throw new RangeError('securityHeaderList: hstsMaxAgeSeconds must be an integer >= 0');
  }
  return hstsMaxAgeSeconds === undefined ? ALWAYS : [...ALWAYS, ['Strict-Transport-Security', `max-age=${hstsMaxAgeSeconds}; includeSubDomains`] as const];
}
