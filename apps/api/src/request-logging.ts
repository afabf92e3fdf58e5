import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Request, RequestHandler } from 'express';
import type { ProcessLogger } from '@vigil/metrics';

/** A client's X-Request-Id is kept when it is a plain token (a UUID, a trace id, a load balancer's id); anything else is replaced. */
const CLIENT_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Probes and scrapes every few seconds: their access lines would drown the rest. */
const QUIET_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

/** Where the envelope keeps what it learnt of a request: one object shape, set once. */
interface Enveloped {
  id?: string;
  vigilStarted?: number;
}

/** The request id of a request that went through {@link requestEnvelope}. */
export function requestIdOf(req: IncomingMessage): string | undefined {
  const id = (req as IncomingMessage & Enveloped).id;
  return typeof id === 'string' ? id : undefined;
}

/** What every answer is counted in, once it has been sent. */
export interface AnswerCounter {
  /** `route` is the matched route pattern ('unmatched' for 404s), never the raw path: label cardinality stays low. */
  count(route: string, method: string, status: number): void;
}

/** Options for {@link requestEnvelope}. */
export interface RequestEnvelopeOptions {
  readonly logger: ProcessLogger;
  /** The response headers every answer carries (securityHeaderList's). */
  readonly headers: readonly (readonly [string, string])[];
  readonly counter: AnswerCounter;
}

/**
 * The first middleware, and the only one every request pays for: gives the request an id
 * (the client's X-Request-Id when it is a plain token, else a UUID) and returns it as
 * X-Request-Id, sets the security headers, and once the answer is sent counts it and writes
 * its access line: debug for 2xx/3xx (off at the default info level), info for 4xx, warn
 * for 5xx. Only method, path, status and duration are logged: never headers, which carry
 * the bearer keys, nor bodies, which carry features.
 *
 * One function and one 'finish' listener per request, where pino-http, a headers
 * middleware and a metrics middleware cost three router layers, a child logger and two
 * listeners (13% of the API's CPU in the issue-18 profile).
 */
export function requestEnvelope(options: RequestEnvelopeOptions): RequestHandler {
  const { logger, headers, counter } = options;
  const access = logger.pino;
  // A named function, not a closure per request: 'this' is the response that finished.
  function finished(this: ServerResponse & { req: Request }): void {
    const req = this.req;
    const status = this.statusCode;
    const route = (req.route as { path?: string } | undefined)?.path ?? 'unmatched';
    counter.count(route, req.method, status);
    const level = status >= 500 ? 'warn' : status >= 400 ? 'info' : 'debug';
    if (!access.isLevelEnabled(level)) return;
    const path = (req.originalUrl ?? req.url ?? '').split('?', 1)[0] ?? '';
    if (QUIET_PATHS.has(path)) return;
    const started = (req as Request & Enveloped).vigilStarted ?? performance.now();
    access[level](
      {
        request_id: requestIdOf(req),
        req: { method: req.method, path },
        res: { status },
        duration_ms: Math.round(performance.now() - started),
      },
      status >= 500 ? 'request failed' : 'request',
    );
  }
  return (req, res, next) => {
    const sent = req.headers['x-request-id'];
    const id = typeof sent === 'string' && CLIENT_REQUEST_ID.test(sent) ? sent : randomUUID();
    const enveloped = req as Request & Enveloped;
    enveloped.id = id;
    enveloped.vigilStarted = performance.now();
    res.setHeader('x-request-id', id);
    for (const [name, value] of headers) res.setHeader(name, value);
    res.once('finish', finished);
    next();
  };
}
