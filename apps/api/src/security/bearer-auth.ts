import type { RequestHandler } from 'express';
import { ApiError } from '../api-errors';
import { bearerToken, checkKeyOptions, keyMatcher } from './presented-key';

/** Options for {@link bearerAuth}. */
export interface BearerAuthOptions {
  /** The one key accepted. */
  readonly key: string;
  /** Names the protected area in `WWW-Authenticate` and in the error details, e.g. `monitoring`. */
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
    if (token === undefined) {
      res.setHeader('WWW-Authenticate', `Bearer realm="${realm}"`);
      const missing = header === undefined;
      const message = missing ? 'This endpoint needs an Authorization: Bearer <key> header' : 'The Authorization header must be "Bearer <key>"';
      next(new ApiError('UNAUTHORIZED', message, { where: 'headers.authorization', realm, reason: missing ? 'missing' : 'malformed' }));
      return;
    }
    if (!matches(token)) {
      res.setHeader('WWW-Authenticate', `Bearer realm="${realm}", error="invalid_token"`);
      next(new ApiError('UNAUTHORIZED', 'The bearer key is not valid for this endpoint', { where: 'headers.authorization', realm, reason: 'invalid_key' }));
      return;
    }
    next();
  };
}
