import type { Response } from 'express';
import { ApiError } from '../api-errors';

/** Why a bearer key was refused; the client sees it as `details.reason`. */
export type RefusalReason = 'missing' | 'malformed' | 'invalid_key' | 'read_only_key';

const MESSAGES: Readonly<Record<RefusalReason, string>> = {
  missing: 'This endpoint needs an Authorization: Bearer <key> header',
  malformed: 'The Authorization header must be "Bearer <key>"',
  invalid_key: 'The bearer key is not valid for this endpoint',
  read_only_key: 'This key only reads: replays and queue actions need the admin key (ADMIN_API_KEY)',
};

// RFC 6750 §3.1: a wrong key is invalid_token; a right key that may not do this is insufficient_scope.
const CHALLENGE_ERRORS: Readonly<Record<RefusalReason, string>> = {
  missing: '',
  malformed: '',
  invalid_key: ', error="invalid_token"',
  read_only_key: ', error="insufficient_scope"',
};

/**
 * The one 401 UNAUTHORIZED of the bearer checks (bearerAuth, accessGuard):
 * sets `WWW-Authenticate: Bearer realm="<realm>"…` on `res` and returns the
 * error to pass to `next`. Never carries the presented or the expected key.
 */
export function bearerRefusal(res: Response, realm: string, reason: RefusalReason): ApiError {
  res.setHeader('WWW-Authenticate', `Bearer realm="${realm}"${CHALLENGE_ERRORS[reason]}`);
  return new ApiError('UNAUTHORIZED', MESSAGES[reason], { where: 'headers.authorization', realm, reason });
}

/** The reason for a request whose Authorization header gave no bearer token. */
export function noTokenReason(header: string | undefined): RefusalReason {
  return header === undefined ? 'missing' : 'malformed';
}
