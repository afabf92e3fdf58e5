import type { RequestHandler } from 'express';
import { ApiError } from '../api-errors';
import { bearerToken, checkKeyOptions, keyMatcher } from '../security/presented-key';

/** Options for {@link boardAuth}. */
export interface BoardAuthOptions {
  /** The monitoring key. */
  readonly key: string;
  /** Shown by the browser's sign-in prompt. */
  readonly realm: string;
}

const BASIC = /^Basic +([A-Za-z0-9+/=]+) *$/i;

/** The password of HTTP Basic credentials (any user name); undefined when the header is not of that form. */
function basicPassword(header: string): string | undefined {
  const basic = BASIC.exec(header);
  if (basic === null) return undefined;
  const decoded = Buffer.from(basic[1] as string, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : decoded.slice(colon + 1);
}

/** The key a request presents: a Bearer token, or the Basic password. */
function presentedKey(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  return bearerToken(header) ?? basicPassword(header);
}

/**
 * The monitoring key for a page a browser opens (bull-board): a browser
 * cannot add a Bearer header to a navigation or to the page's own script and
 * style requests, but it does answer an HTTP Basic challenge and then sends
 * the credentials with every request to the same place. So this accepts
 * `Authorization: Bearer <key>` (scripts, curl) or Basic with the key as the
 * password, and challenges with Basic. The Bearer form and the constant-time
 * comparison of SHA-256 digests are bearerAuth's own (security/presented-key.ts).
 */
export function boardAuth(options: BoardAuthOptions): RequestHandler {
  checkKeyOptions('boardAuth', options);
  const matches = keyMatcher(options.key);
  const challenge = `Basic realm="${options.realm}", charset="UTF-8"`;
  return (req, res, next) => {
    const header = req.headers.authorization;
    const key = presentedKey(header);
    if (key !== undefined && matches(key)) {
      next();
      return;
    }
    res.setHeader('WWW-Authenticate', challenge);
    const reason = header === undefined ? 'missing' : key === undefined ? 'malformed' : 'invalid_key';
    const message = 'The queue board needs the monitoring key: Authorization: Bearer <key>, or HTTP Basic with the key as password';
    next(new ApiError('UNAUTHORIZED', message, { where: 'headers.authorization', realm: options.realm, reason }));
  };
}

/**
 * Refuses a state-changing request that a browser says came from another
 * site: a browser re-sends Basic credentials by itself, so without this a
 * page elsewhere could make an operator's browser retry or clean jobs.
 * Requests without these headers (curl, scripts) are not browsers' and pass.
 */
export const sameOriginWrites: RequestHandler = (req, _res, next) => {
  if (req.method === 'GET' || req.method === 'HEAD') return next();
  const site = req.headers['sec-fetch-site'];
  const origin = req.headers.origin;
  let crossSite = site !== undefined && site !== 'same-origin' && site !== 'none';
  if (!crossSite && origin !== undefined) {
    try {
      crossSite = new URL(origin).host !== req.headers.host;
    } catch {
      crossSite = true;
    }
  }
  if (crossSite) {
    const message = 'Queue actions are taken from the board itself, not from another site';
    next(new ApiError('UNAUTHORIZED', message, { where: 'headers.origin', reason: 'cross_site' }));
    return;
  }
  next();
};
