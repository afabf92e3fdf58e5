import type { ErrorRequestHandler, RequestHandler } from 'express';
import { isVigilError } from '@vigil/errors';
import type { Logger } from '@vigil/metrics';
import { ApiError } from './api-errors';

/** What body-parser attaches to the errors it throws. */
interface BodyParserError extends Error {
  type?: string;
  status?: number;
  limit?: number;
}

function fromBodyParser(error: BodyParserError): ApiError | undefined {
  switch (error.type) {
    case 'entity.parse.failed':
      return new ApiError('MALFORMED_JSON', 'The request body is not valid JSON', { where: 'body', reason: error.message.slice(0, 200) });
    case 'entity.too.large':
      return new ApiError('BODY_TOO_LARGE', `The request body is larger than ${error.limit ?? 'the limit'} bytes`, { where: 'body', limit_bytes: error.limit });
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new ApiError('UNSUPPORTED_MEDIA_TYPE', 'The request body must be UTF-8 JSON', { where: 'body' });
    case 'request.aborted':
    case 'request.size.invalid':
    case 'stream.encoding.set':
      return new ApiError('INVALID_REQUEST', 'The request body could not be read', { where: 'body', reason: error.type });
    default:
      return undefined;
  }
}

/**
 * The one place errors become HTTP answers: `{ error: { code, message, details } }`.
 * Errors we raised on purpose keep their status; anything else is a 500 whose
 * internals are logged, never shown.
 */
export function errorBoundary(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    const known = isVigilError(error) ? error : fromBodyParser(error as BodyParserError);
    if (known !== undefined && known.status < 500) {
      res.status(known.status).json({ error: { code: known.code, message: known.message, details: known.details } });
      return;
    }
    const status = known?.status ?? 500;
    logger.error('request failed', { method: req.method, path: req.path, error: (error as Error)?.message, code: known?.code });
    const code = known?.code ?? 'INTERNAL';
    res.status(status).json({ error: { code, message: status === 503 ? known?.message : 'Internal error; it has been logged', details: {} } });
  };
}

export const notFound: RequestHandler = (req, _res, next) => {
  next(new ApiError('NOT_FOUND', `No route ${req.method} ${req.path.slice(0, 200)}`, { method: req.method, path: req.path.slice(0, 200) }));
};
