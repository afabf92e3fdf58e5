import { isFeatureObject, newPredictionId, normaliseIsoDateTime, recordProblem, type PredictionRecord } from '@vigil/records';

/** A feature value as Vigil stores it (JSON): a finite number, a boolean or a string. */
export type FeatureValue = PredictionRecord['features'][string];

/** One prediction, as a model server hands it to {@link VigilLogger.log}. */
export interface VigilPrediction {
  /** The model's input, one value per feature name: stored as JSON, compared with the training reference by drift reports. */
  readonly features: Readonly<Record<string, FeatureValue>>;
  /** The predicted class: 1 for the positive class (fraud), 0 for the other. */
  readonly prediction: 0 | 1;
  /** The model's probability of the positive class, in [0, 1]. */
  readonly probability: number;
  /** The model that answered (e.g. `fraud-2025-06`): the monitoring endpoints group and filter by it. */
  readonly model_version: string;
  /** Server-side time to score, in milliseconds. @defaultValue 0 (the middleware measures it) */
  readonly latency_ms?: number;
  /**
   * A UUID naming the prediction, to tie it to your own logs and to the label sent later to POST /feedback.
   * @defaultValue a fresh UUIDv7 (time-ordered)
   */
  readonly prediction_id?: string;
  /** When the prediction was made: a Date or an ISO 8601 date-time with a zone. @defaultValue now */
  readonly timestamp?: Date | string;
  /**
   * The W3C trace id (32 lowercase hex digits) of the request, so the stored record links to its trace.
   * @defaultValue none; the middleware takes it from the request's `traceparent` header
   */
  readonly trace_id?: string;
}

/** The ISO 8601 UTC form with milliseconds the stores sort by, or undefined when `value` is no date-time. */
function isoTimestamp(value: Date | string | undefined): string | undefined {
  if (value === undefined) return new Date().toISOString();
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.toISOString();
  return normaliseIsoDateTime(value);
}

/** Why one feature value cannot be stored as it is, or undefined when it can. */
function featureProblem(features: Readonly<Record<string, unknown>>): string | undefined {
  for (const [name, value] of Object.entries(features)) {
    // NaN and Infinity would reach the store as null (JSON), which no drift test can compare.
    if (typeof value === 'number' ? !Number.isFinite(value) : typeof value !== 'boolean' && typeof value !== 'string') {
      return `features.${name} is not a finite number, a boolean or a string`;
    }
  }
  return undefined;
}

/**
 * The stored record of a prediction: defaults filled in, then checked by the
 * worker's own rule (recordProblem), so a record the worker would dead-letter
 * is refused here, where the caller can still see why. Throws a TypeError
 * naming the field.
 */
export function predictionRecord(prediction: VigilPrediction): PredictionRecord {
  if (typeof prediction !== 'object' || prediction === null) throw new TypeError('vigil: a prediction must be an object');
  const timestamp = isoTimestamp(prediction.timestamp);
  if (timestamp === undefined) throw new TypeError('vigil: timestamp is not a valid Date or ISO 8601 date-time with a zone');
  const id: unknown = prediction.prediction_id;
  const record: PredictionRecord = {
    // Lower case: the UUID form every store compares; an id in capitals is still the same id.
    prediction_id: id === undefined ? newPredictionId() : typeof id === 'string' ? id.toLowerCase() : (id as string),
    timestamp,
    model_version: prediction.model_version,
    // A copy: the caller may reuse its object before the batch leaves, and the journal and the queue must agree.
    features: isFeatureObject(prediction.features) ? { ...prediction.features } : prediction.features,
    prediction: prediction.prediction,
    probability: prediction.probability,
    latency_ms: prediction.latency_ms ?? 0,
    trace_id: prediction.trace_id,
  };
  const problem = recordProblem(record) ?? featureProblem(record.features);
  if (problem !== undefined) throw new TypeError(`vigil: ${problem}`);
  return record;
}
