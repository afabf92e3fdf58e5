import type { RequestHandler } from 'express';
import { bearerRefusal, noTokenReason } from './bearer-refusal';
import { bearerToken, checkKeyOptions, keyMatcher } from './presented-key';

/** Options for {@link bearerAuth}. */
export interface BearerAuthOptions {
  /** The one key accepted. */
  readonly key: string;
  /** Names the protected area in `WWW-Authenticate` and in the error details, e.g. `predict`. */
  readonly realm: string;
}

/**
 * Requires `Authorization: Bearer <key>`, or answers 401 UNAUTHORIZED.
 * Keys are compared as SHA-256 digests in constant time (presented-key.ts),
 * so the time taken says nothing about the key's bytes or its length. Neither
 * the presented nor the expected key ever goes into an answer or a log line.
 */
export function bearerAuth(options: BearerAuthOptions): RequestHandler {
  checkKeyOptions('bearerAuth', options);
  const matches = keyMatcher(options.key);
  const { realm } = options;

  return (req, res, next) => {
    const header = req.headers.authorization;
    const token = bearerToken(header);
    if (token === undefined) next(bearerRefusal(res, realm, noTokenReason(header)));
    else if (!matches(token)) next(bearerRefusal(res, realm, 'invalid_key'));
    else next();
  };
}
