import type { AlertErrorCode } from '@vigil/alerts';
import type { ConfigErrorCode } from '@vigil/config';
import type { QueueErrorCode } from '@vigil/queue';
import type { DriftErrorCode } from '@vigil/drift';
import type { DriftStatsErrorCode } from '@vigil/drift-stats';
import type { PermanentErrorCode } from '@vigil/errors';
import type { ModelErrorCode } from '@vigil/model';
import type { MonitoringErrorCode } from '@vigil/monitoring';
import type { QualityErrorCode } from '@vigil/quality';
import type { ApiErrorCode } from './api-errors';

/** Every code any Vigil package raises: a package that adds one makes the table below fail to compile until it is mapped. */
export type ErrorCode =
  | ApiErrorCode
  | ModelErrorCode
  | MonitoringErrorCode
  | QualityErrorCode
  | QueueErrorCode
  | DriftErrorCode
  | DriftStatsErrorCode
  | AlertErrorCode
  | ConfigErrorCode
  | PermanentErrorCode;

/**
 * The one map from error code to HTTP status. Domain packages know nothing
 * of HTTP; whether a code is the client's fault (4xx) or ours (5xx) is
 * decided here, once. The README's error table lists every code (a test
 * checks it).
 */
export const ERROR_STATUS: Readonly<Record<ErrorCode, number>> = Object.freeze({
  // The request itself
  MALFORMED_JSON: 400,
  INVALID_REQUEST: 400,
  INVALID_QUERY_PARAMETER: 400,
  UNAUTHORIZED: 401,
  NOT_FOUND: 404,
  DEAD_LETTER_NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  BODY_TOO_LARGE: 413,
  TOO_MANY_INSTANCES: 413,
  TOO_MANY_LABELS: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  INVALID_FEATURES: 422,
  INVALID_LABELS: 422,
  RATE_LIMITED: 429,
  // Ours: the server's model, settings or stores
  INTERNAL: 500,
  INFERENCE_FAILED: 500,
  MODEL_SPEC_INVALID: 500,
  MODEL_SPEC_MISMATCH: 500,
  MODEL_LOAD_FAILED: 500,
  CONFIG_INVALID: 500,
  DRIFT_CONFIG_INVALID: 500,
  DRIFT_REFERENCE_INVALID: 500,
  INVALID_REFERENCE: 500,
  ALERT_RULES_INVALID: 500,
  // Drift statistics and quality figures run over stored rows with the server's settings: bad arguments there are a fault of ours.
  EMPTY_INPUT: 500,
  INVALID_VALUE: 500,
  LENGTH_MISMATCH: 500,
  INVALID_OPTION: 500,
  STORE_REJECTED_DATA: 500,
  WEBHOOK_REJECTED: 500,
  NOT_READY: 503,
});

/** The status for a code; a code outside the catalogue (it cannot compile in, but data can carry one) is a 500. */
export function statusOf(code: string): number {
  return (ERROR_STATUS as Readonly<Record<string, number>>)[code] ?? 500;
}
