import type { Request, RequestHandler } from 'express';
import { accessFor, type Access, type AccessKeys } from './access-keys';
import { bearerRefusal, noTokenReason } from './bearer-refusal';
import { bearerToken } from './presented-key';

/** Options for {@link accessGuard}. */
export interface AccessGuardOptions {
  readonly keys: AccessKeys;
  /** What a request needs. @defaultValue by method: GET, HEAD, OPTIONS read, the rest write ({@link accessFor}) */
  readonly needs?: (req: Request) => Access;
}

/** Names the area in `WWW-Authenticate` and `details.realm`: `monitoring` for reads (as before the split), `admin` for writes. */
const REALM: Readonly<Record<Access, string>> = { read: 'monitoring', admin: 'admin' };

/**
 * The bearer-key check in front of /monitoring and /admin, with the read and
 * the write key (access-keys.ts). Refuses with bearerAuth's 401 shape
 * (`details.realm`, `details.reason` missing / malformed / invalid_key), and
 * with reason `read_only_key` when the read key asks to change something.
 */
export function accessGuard(options: AccessGuardOptions): RequestHandler {
  const { keys } = options;
  const needs = options.needs ?? ((req: Request) => accessFor(req.method));
  return (req, res, next) => {
    const needed = needs(req);
    if (keys.open(needed)) return next();
    const realm = REALM[needed];
    const header = req.headers.authorization;
    const token = bearerToken(header);
    if (token === undefined) return next(bearerRefusal(res, realm, noTokenReason(header)));
    const granted = keys.grant(token);
    if (granted === undefined) return next(bearerRefusal(res, realm, 'invalid_key'));
    if (needed === 'admin' && granted === 'read') return next(bearerRefusal(res, realm, 'read_only_key'));
    next();
  };
}
