import { v7 as uuidv7 } from 'uuid';

/** One logged prediction, as it travels through the queue and lands in every store. */
export interface PredictionRecord {
  /** UUIDv7: unique, and sorts by creation time, so stores can key and order by it. */
  readonly prediction_id: string;
  /** ISO 8601 in UTC with milliseconds (Date#toISOString), so it also sorts as text. */
  readonly timestamp: string;
  readonly model_version: string;
  readonly features: Readonly<Record<string, number | boolean | string>>;
  readonly prediction: 0 | 1;
  readonly probability: number;
  /** Server-side time to validate and score, from the monotonic clock. */
  readonly latency_ms: number;
  /** The API process instance that served it (1-64 of [A-Za-z0-9_.-]); set by the prediction logger. */
  readonly instance_id?: string;
  /** 1, 2, 3… per instance, consecutive in the order that instance logged its records; set by the prediction logger. */
  readonly seq?: number;
  /**
   * `shadow`: a challenger's score of the champion's request, under the champion's
   * `prediction_id` (stored apart, in shadow_predictions). Absent: the champion's own record.
   */
  readonly role?: 'shadow';
  /** The W3C trace id (32 lowercase hex) of the request's `traceparent`, so an audit row links to its trace; absent without one. */
  readonly trace_id?: string;
}

/** Time-sortable id assigned in the API before the response is sent. */
export function newPredictionId(): string {
  return uuidv7();
}
