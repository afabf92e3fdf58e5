import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { ApiError } from '../api-errors';

/** Options for {@link bearerAuth}. */
export interface BearerAuthOptions {
  /** The one key accepted. */
  readonly key: string;
  /** Names the protected area in `WWW-Authenticate` and in the error details, e.g. `monitoring`. */
  readonly realm: string;
}

const BEARER = /^Bearer +([\x21-\x7e]+) *$/i;

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * Requires `Authorization: Bearer <key>`, or answers 401 UNAUTHORIZED.
 * Both keys are hashed before the constant-time comparison, so the time taken
 * says nothing about the key's bytes or its length. Neither the presented
 * nor the expected key ever goes into an answer or a log line.
 */
export function bearerAuth(options: BearerAuthOptions): RequestHandler {
  if (typeof options.key !== 'string' || options.key.length === 0) throw new RangeError('bearerAuth: key must be a non-empty string');
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(options.realm)) throw new RangeError('bearerAuth: realm must be 1-64 characters of letters, digits, _ . -');
  const expected = digest(options.key);
  const { realm } = options;

  return (req, res, next) => {
    const header = req.headers.authorization;
    const match = header === undefined ? null : BEARER.exec(header);
    if (match === null) {
      res.setHeader('WWW-Authenticate', `Bearer realm="${realm}"`);
      const missing = header === undefined;
      next(
        new ApiError('UNAUTHORIZED', missing ? 'This endpoint needs an Authorization: Bearer <key> header' : 'The Authorization header must be "Bearer <key>"', {
          where: 'headers.authorization',
          realm,
          reason: missing ? 'missing' : 'malformed',
        }),
      );
      return;
    }
    if (!timingSafeEqual(digest(match[1] as string), expected)) {
      res.setHeader('WWW-Authenticate', `Bearer realm="${realm}", error="invalid_token"`);
      next(new ApiError('UNAUTHORIZED', 'The bearer key is not valid for this endpoint', { where: 'headers.authorization', realm, reason: 'invalid_key' }));
      return;
    }
    next();
  };
}
