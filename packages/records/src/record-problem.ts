import type { PredictionRecord } from './prediction-record';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
/** An API instance id: short and plain, so it can be a store key, a Redis hash field and a log value as it is. */
const INSTANCE_ID = /^[A-Za-z0-9_.-]{1,64}$/;
/** A W3C trace id: 16 bytes in lowercase hex, not all zero. */
const TRACE_ID = /^(?!0{32})[0-9a-f]{32}$/;

/** True for a valid W3C trace id (32 lowercase hex digits, not all zero). */
export function isTraceId(value: unknown): value is string {
  return typeof value === 'string' && TRACE_ID.test(value);
}

/** True for a valid `instance_id` (1-64 of A-Z a-z 0-9 _ . -). */
export function isInstanceId(value: unknown): value is string {
  return typeof value === 'string' && INSTANCE_ID.test(value);
}

/** True for a valid `seq`: a whole number from 1 that a double holds exactly. */
export function isSequenceNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 1;
}

/**
 * Which API instance logged a value and its number there, when both are
 * valid, whatever else is wrong with it: a dead-lettered record is still
 * accounted for by its sequence number, so it is not counted missing.
 */
export function recordSequence(value: unknown): { readonly instance_id: string; readonly seq: number } | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { instance_id, seq } = value as { instance_id?: unknown; seq?: unknown };
  return isInstanceId(instance_id) && isSequenceNumber(seq) ? { instance_id, seq } : undefined;
}

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
  // Both optional: records logged before instances numbered theirs have neither.
  if (r.instance_id !== undefined && !isInstanceId(r.instance_id)) return 'instance_id is not 1-64 of A-Z a-z 0-9 _ . -';
  if (r.seq !== undefined && !isSequenceNumber(r.seq)) return 'seq is not a positive safe integer';
  if (r.role !== undefined && r.role !== 'shadow') return 'role is not "shadow"';
  if (r.trace_id !== undefined && !isTraceId(r.trace_id)) return 'trace_id is not 32 lowercase hex digits';
  return undefined;
}
