import type { IncomingMessage, ServerResponse } from 'node:http';
import { newPredictionId } from '@vigil/records';
import { beforeHeaders } from './before-headers';
import { traceIdOf } from '@vigil/records';
import type { VigilLogger } from './vigil-logger';
import type { VigilPrediction } from './vigil-prediction';

/** What a handler leaves for {@link vigilMiddleware} on `res.locals.vigil`: a prediction whose model_version the middleware fills in. */
export type VigilLocal = Omit<VigilPrediction, 'model_version'> & { readonly model_version?: string };

/** The part of a response the middleware uses: Express's Response fits, and so does a plain ServerResponse given `locals`. */
export interface VigilResponse extends ServerResponse {
  locals: Record<string, unknown>;
}

export interface VigilMiddlewareOptions<Req extends IncomingMessage = IncomingMessage> {
  /** The model_version of every prediction that does not name its own. */
  readonly modelVersion: string;
  /** Where the route's prediction is, when not on `res.locals.vigil`: undefined logs nothing for that request. */
  readonly extract?: (req: Req, res: VigilResponse) => VigilLocal | undefined;
  /**
   * A prediction that could not be logged (not a valid prediction). The answer goes out all the same.
   * Must not throw. @defaultValue a process warning (`process.emitWarning`), printed once per message (for the first 100 messages)
   */
  readonly onError?: (error: Error, req: Req) => void;
}

/** An Express middleware (`app.post('/predict', vigilMiddleware(…), handler)`); also plain Node http given `res.locals`. */
export type VigilRequestHandler<Req extends IncomingMessage = IncomingMessage> = (req: Req, res: VigilResponse, next: (error?: unknown) => void) => void;

/**
 * The type-safe way to hand the route's prediction to {@link vigilMiddleware}: puts it on
 * `res.locals.vigil` and returns its prediction_id (the one given, or a fresh UUIDv7), for the answer.
 */
export function recordPrediction(res: { locals: Record<string, unknown> }, prediction: VigilLocal): string {
  // Lower case, as log() stores it: the id answered is the id stored.
  const prediction_id = prediction.prediction_id === undefined ? newPredictionId() : String(prediction.prediction_id).toLowerCase();
  res.locals.vigil = { ...prediction, prediction_id };
  return prediction_id;
}

/** Messages already warned about; bounded, since a message can name a feature the client chose. */
const warned = new Set<string>();
const MAX_WARNED = 100;
function warnOnce(error: Error): void {
  if (warned.has(error.message) || warned.size >= MAX_WARNED) return;
  warned.add(error.message);
  process.emitWarning(`a prediction was not logged: ${error.message}`, { code: 'VIGIL_PREDICTION_NOT_LOGGED' });
}

/** The route's prediction (res.locals.vigil, or what `extract` returns), or undefined when the route left none. */
function routePrediction<Req extends IncomingMessage>(req: Req, res: VigilResponse, options: VigilMiddlewareOptions<Req>): VigilLocal | undefined {
  if (options.extract !== undefined) return options.extract(req, res);
  const local: unknown = res.locals?.vigil;
  if (local === undefined) return undefined;
  if (typeof local !== 'object' || local === null) throw new TypeError('vigil: res.locals.vigil is not an object');
  return local as VigilLocal;
}

/**
 * Logs each request's prediction as its answer goes out. The route puts its
 * prediction on `res.locals.vigil` (with {@link recordPrediction}, or by
 * hand); just before the response's headers are written, the middleware
 * logs it through `logger`: with `modelVersion` unless it names its own, and
 * with the time from the middleware to the answer as latency_ms unless it
 * gives one, and with the trace id of a valid `traceparent` header. So the record is in the journal before the client has its
 * answer. Only 2xx answers are logged: an error answer gave the client no
 * prediction. Logging never fails the request: a bad prediction goes to `onError`.
 */
export function vigilMiddleware<Req extends IncomingMessage = IncomingMessage>(
  logger: Pick<VigilLogger, 'log'>,
  options: VigilMiddlewareOptions<Req>,
): VigilRequestHandler<Req> {
  if (typeof options?.modelVersion !== 'string' || options.modelVersion === '') throw new TypeError('vigilMiddleware: modelVersion must be a non-empty string');
  const onError = options.onError ?? warnOnce;
  return (req, res, next) => {
    const started = performance.now();
    beforeHeaders(res, (statusCode) => {
      if (statusCode < 200 || statusCode > 299) return;
      try {
        const prediction = routePrediction(req, res, options);
        if (prediction === undefined) return;
        logger.log({
          ...prediction,
          model_version: prediction.model_version ?? options.modelVersion,
          latency_ms: prediction.latency_ms ?? performance.now() - started,
          trace_id: prediction.trace_id ?? traceIdOf(req.headers.traceparent),
        });
      } catch (error) {
        onError(error instanceof Error ? error : new Error(String(error)), req);
      }
    });
    next();
  };
}
