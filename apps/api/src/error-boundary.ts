import type { ErrorRequestHandler, RequestHandler } from 'express';
import { isVigilError } from '@vigil/errors';
import type { Logger } from '@vigil/metrics';
import { ApiError } from './api-errors';
import { errorBody, sendError } from './error-json';
import { statusOf } from './error-status';
import { requestIdOf } from './request-logging';

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
 * Errors we raised on purpose answer with their code's status (error-status.ts);
 * anything else is a 500 whose internals are logged, with the stack, never shown.
 */
export function errorBoundary(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    const known = isVigilError(error) ? error : fromBodyParser(error as BodyParserError);
    const status = known === undefined ? 500 : statusOf(known.code);
    if (known !== undefined && status < 500) {
      sendError(res, status, errorBody(known.code, known.message, known.details));
      return;
    }
    const failure = error as Error | undefined;
    if (status === 503 && known !== undefined) {
      // A dependency that is down is expected and says so in its message: no stack to read.
      logger.warn('request refused: dependency not ready', {
        request_id: requestIdOf(req),
        method: req.method,
        path: req.path,
        error: known.message,
        code: known.code,
      });
    } else {
      logger.error('request failed', {
        request_id: requestIdOf(req),
        method: req.method,
        path: req.path,
        error: failure?.message,
        code: known?.code,
        stack: failure?.stack,
      });
    }
    const message = status === 503 && known !== undefined ? known.message : 'Internal error; it has been logged';
    sendError(res, status, errorBody(known?.code ?? 'INTERNAL', message));
  };
}

export const notFound: RequestHandler = (req, _res, next) => {
  next(new ApiError('NOT_FOUND', `No route ${req.method} ${req.path.slice(0, 200)}`, { method: req.method, path: req.path.slice(0, 200) }));
};
