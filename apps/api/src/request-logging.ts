import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import type { ProcessLogger } from '@vigil/metrics';
import { pinoHttp } from 'pino-http';

/** A client's X-Request-Id is kept when it is a plain token (a UUID, a trace id, a load balancer's id); anything else is replaced. */
const CLIENT_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Probes and scrapes every few seconds: their access lines would drown the rest. */
const QUIET_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

/** The request id of a request that went through {@link requestLogging}. */
export function requestIdOf(req: IncomingMessage): string | undefined {
  const id = (req as IncomingMessage & { id?: unknown }).id;
  return typeof id === 'string' ? id : undefined;
}

/**
 * Gives every request an id (the client's X-Request-Id when it is a plain token, else a
 * UUID), returns it as X-Request-Id, and writes one access line per request through pino-http:
 * debug for 2xx/3xx (off at the default info level, so the hot path stays light), info for
 * 4xx, warn for 5xx. Only method, path, status and duration are logged: never headers,
 * which carry the bearer keys, nor bodies, which carry features.
 */
export function requestLogging(logger: ProcessLogger): RequestHandler {
  const middleware = pinoHttp<IncomingMessage, ServerResponse>({
    logger: logger.pino,
    quietReqLogger: true,
    wrapSerializers: false,
    customAttributeKeys: { reqId: 'request_id', responseTime: 'duration_ms' },
    genReqId(req, res) {
      const sent = req.headers['x-request-id'];
      const id = typeof sent === 'string' && CLIENT_REQUEST_ID.test(sent) ? sent : randomUUID();
      res.setHeader('x-request-id', id);
      return id;
    },
    autoLogging: { ignore: (req) => QUIET_PATHS.has((req.url ?? '').split('?', 1)[0] ?? '') },
    customLogLevel: (_req, res, error) => (error !== undefined || res.statusCode >= 500 ? 'warn' : res.statusCode >= 400 ? 'info' : 'debug'),
    customSuccessMessage: () => 'request',
    customErrorMessage: () => 'request failed',
    serializers: {
      req: (req: IncomingMessage & { id?: unknown }) => ({ method: req.method, path: (req.url ?? '').split('?', 1)[0] }),
      res: (res: ServerResponse) => ({ status: res.statusCode }),
    },
  });
  return (req, res, next) => middleware(req, res, next);
}
