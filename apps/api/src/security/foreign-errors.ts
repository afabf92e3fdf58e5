import type { ErrorRequestHandler } from 'express';
import { isVigilError } from '@vigil/errors';
import { ApiError } from '../api-errors';

/** What body-parser, raw-body and the router attach to the errors they raise. */
interface ForeignError extends Error {
  type?: unknown;
  status?: unknown;
  limit?: unknown;
  details?: unknown;
}

/**
 * Mounted just before the error boundary: turns errors raised by code that
 * is not ours into errors the boundary reads correctly.
 *
 * Why: the boundary recognises "ours" by shape (a string `code` and a numeric
 * `status`). body-parser forwards lower-level errors with their own `code`
 * plus a `status` (zlib's Z_DATA_ERROR for a body that says gzip and is not,
 * ECONNABORTED), so the client got an internal code and no `details`; and
 * the router's "Failed to decode param" URIError (status 400, no code) became
 * a 500. Now a body-parser error keeps only its `type` (which the boundary
 * maps), any other client-side fault is INVALID_REQUEST, and faults of ours
 * stay 500s.
 */
export function foreignErrors(): ErrorRequestHandler {
  return (error: unknown, _req, _res, next) => {
    if (!(error instanceof Error)) {
      next(error);
      return;
    }
    const { type, status, limit, details } = error as ForeignError;
    if (isVigilError(error) && typeof details === 'object' && details !== null) {
      next(error); // ours: every VigilError carries details
      return;
    }
    if (typeof type === 'string') {
      next(Object.assign(new Error(error.message), { type, status, limit }));
      return;
    }
    if (typeof status === 'number' && status >= 400 && status < 500) {
      const inPath = error instanceof URIError;
      next(
        new ApiError(
          'INVALID_REQUEST',
          inPath ? 'A path segment has a malformed percent-escape' : 'The request body could not be decoded; check its Content-Encoding',
          {
            where: inPath ? 'path' : 'body',
            reason: 'undecodable',
          },
        ),
      );
      return;
    }
    next(error);
  };
}
