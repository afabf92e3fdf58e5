import type { PredictionRecord } from './prediction-record';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** True for a plain object (not null, not an array): the only shape `features` may have. */
export function isFeatureObject(value: unknown): value is PredictionRecord['features'] {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Why a value cannot be stored as a {@link PredictionRecord}, or undefined
 * when it can: the one definition of a valid stored record. The worker asks
 * it of every record before any store sees it, and dead-letters the ones
 * with a problem.
 */
export function recordProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return 'not an object';
  if (Array.isArray(value)) return 'not a record (an array)';
  const r = value as Record<string, unknown>;
  if (typeof r.prediction_id !== 'string' || !UUID.test(r.prediction_id)) return 'prediction_id is not a UUID';
  if (typeof r.timestamp !== 'string' || !ISO.test(r.timestamp) || Number.isNaN(Date.parse(r.timestamp))) return 'timestamp is not ISO 8601 UTC';
  if (typeof r.model_version !== 'string' || r.model_version === '') return 'model_version is empty';
  if (!isFeatureObject(r.features)) return 'features is not an object';
  if (r.prediction !== 0 && r.prediction !== 1) return 'prediction is not 0 or 1';
  if (typeof r.probability !== 'number' || !(r.probability >= 0 && r.probability <= 1)) return 'probability is not in [0, 1]';
  if (typeof r.latency_ms !== 'number' || !(r.latency_ms >= 0) || !Number.isFinite(r.latency_ms)) return 'latency_ms is not a finite number >= 0';
  return undefined;
}
