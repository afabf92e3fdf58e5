/**
 * The policy of the API's own HTML pages (/dashboard, /docs): their own scripts
 * and styles (no inline ones), calls to this origin only, data: images (icons);
 * nothing from elsewhere. Every other answer keeps the API's `default-src 'none'`
 * (security-headers.ts), which forbids a page altogether.
 */
export const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
