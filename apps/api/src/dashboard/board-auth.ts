import type { RequestHandler, Response } from 'express';
import { ApiError } from '../api-errors';
import { accessFor, type Access, type AccessKeys } from '../security/access-keys';
import { bearerRefusal } from '../security/bearer-refusal';
import { bearerToken } from '../security/presented-key';

/** Options for {@link boardAuth}. */
export interface BoardAuthOptions {
  /** The read and the write key (security/access-keys.ts). */
  readonly keys: AccessKeys;
  /** Shown by the browser's sign-in prompt; 1-64 characters of letters, digits, _ . - */
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

/** What boardAuth let a request do: the board it is shown, read-only or with actions. */
export function boardAccess(res: Response): Access {
  return (res.locals as { boardAccess?: Access }).boardAccess ?? 'read';
}

/**
 * The keys for a page a browser opens (bull-board): a browser cannot add a
 * Bearer header to a navigation or to the page's own script and style
 * requests, but it does answer an HTTP Basic challenge and then sends the
 * credentials with every request to the same place. So this accepts
 * `Authorization: Bearer <key>` (scripts, curl) or Basic with the key as the
 * password, and challenges with Basic; the keys are compared as bearerAuth's
 * are (constant time over digests).
 *
 * The read key (MONITORING_API_KEY) opens the board to look: a write (any
 * method but GET and HEAD) with it is refused 401 `read_only_key`, with a
 * Bearer challenge a browser does not prompt for. The admin key opens it with
 * its actions. Which one was given is left in `res.locals` for queue-board.ts
 * ({@link boardAccess}).
 */
export function boardAuth(options: BoardAuthOptions): RequestHandler {
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(options.realm)) throw new RangeError('boardAuth: realm must be 1-64 characters of letters, digits, _ . -');
  const { keys } = options;
  const challenge = `Basic realm="${options.realm}", charset="UTF-8"`;
  return (req, res, next) => {
    const needed = accessFor(req.method);
    const header = req.headers.authorization;
    const key = presentedKey(header);
    const granted = keys.grant(key);
    const locals = res.locals as { boardAccess?: Access };
    if (granted === undefined && keys.open(needed)) {
      // No key asked for this: with no keys at all the board is open with its actions, as every /admin path is.
      locals.boardAccess = keys.open('admin') ? 'admin' : 'read';
      return next();
    }
    if (granted === undefined) {
      res.setHeader('WWW-Authenticate', challenge);
      const reason = header === undefined ? 'missing' : key === undefined ? 'malformed' : 'invalid_key';
      const message = 'The queue board needs the monitoring key: Authorization: Bearer <key>, or HTTP Basic with the key as password';
      return next(new ApiError('UNAUTHORIZED', message, { where: 'headers.authorization', realm: options.realm, reason }));
    }
    if (needed === 'admin' && granted === 'read') return next(bearerRefusal(res, options.realm, 'read_only_key'));
    locals.boardAccess = granted;
    next();
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
