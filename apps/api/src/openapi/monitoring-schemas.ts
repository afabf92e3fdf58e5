import { objectOf, orNull, schemaRef, type JsonSchema } from './openapi-types';

const count: JsonSchema = { type: 'integer', minimum: 0 };
const time: JsonSchema = { type: 'string', format: 'date-time' };
const window: JsonSchema = { type: 'string', description: 'The window asked for, as given (e.g. 1h).' };
const milliseconds = (what: string): JsonSchema => orNull('number', { description: `${what} in ms; null when the window holds no predictions.` });

/** The answers of the store-backed /monitoring routes: latency, classes, recent rows, time series, labels, queue, completeness. */
export const MONITORING_SCHEMAS: Readonly<Record<string, JsonSchema>> = {
  LatencySummary: objectOf({
    window,
    count,
    p50: milliseconds('Median latency'),
    p95: milliseconds('95th percentile'),
    p99: milliseconds('99th percentile'),
    mean: milliseconds('Mean latency'),
    max: milliseconds('Highest latency'),
  }),
  Distribution: objectOf({
    window,
    fraud: count,
    non_fraud: count,
    total: count,
    fraud_rate: orNull('number', { minimum: 0, maximum: 1, description: 'fraud / total; null when the window holds no predictions.' }),
  }),
  StoredPrediction: {
    type: 'object',
    description: 'One logged prediction, every stored field (redacted features as the store keeps them).',
    required: ['id', 'prediction_id', 'timestamp', 'model_version', 'features', 'prediction', 'probability', 'latency_ms', 'created_at'],
    properties: {
      id: { type: 'integer' },
      prediction_id: { type: 'string' },
      timestamp: time,
      model_version: { type: 'string' },
      features: { type: 'object', additionalProperties: { type: ['number', 'boolean', 'string'] } },
      prediction: { type: 'integer', enum: [0, 1] },
      probability: { type: 'number', minimum: 0, maximum: 1 },
      latency_ms: { type: 'number', minimum: 0 },
      instance_id: { type: 'string', description: 'The API instance that served it.' },
      seq: { type: 'integer', minimum: 1, description: '1, 2, 3… in the order that instance logged its records.' },
      created_at: { ...time, description: 'When the store wrote the row.' },
    },
  },
  RecentPredictions: objectOf({ limit: count, count, predictions: { type: 'array', items: schemaRef('StoredPrediction'), description: 'Newest first.' } }),
  Timeseries: objectOf({
    window,
    step: { type: 'string' },
    step_seconds: { type: 'integer', minimum: 60 },
    model_version: orNull('string'),
    points: {
      type: 'array',
      description: 'Oldest first; every step is present, empty ones with count 0.',
      items: objectOf({
        start: time,
        count,
        fraud: count,
        non_fraud: count,
        p50: milliseconds('Median latency'),
        p95: milliseconds('95th percentile'),
        p99: milliseconds('99th percentile'),
      }),
    },
  }),
  UnmatchedLabels: objectOf({
    count: { ...count, description: 'Every unmatched label, listed or not.' },
    limit: count,
    labels: {
      type: 'array',
      description: 'Oldest first.',
      items: objectOf({ prediction_id: { type: 'string' }, label: { type: 'integer', enum: [0, 1] }, labeled_at: time, received_at: time }),
    },
  }),
  QueueReport: objectOf({
    queue: { type: 'string' },
    dead_letter_queue: { type: 'string' },
    paused: { type: 'boolean' },
    counts: { type: 'object', description: 'Jobs by state (one job is one log batch).', additionalProperties: count },
    oldest_waiting: {
      description: 'The next job a worker will take; null when none waits.',
      oneOf: [objectOf({ job_id: { type: 'string' }, enqueued_at: time, age_seconds: { type: 'number', minimum: 0 } }), { type: 'null' }],
    },
    dead_letters: count,
    throughput: { type: 'object', description: 'From BullMQ per-minute worker metrics: completed and failed jobs, per minute and in total.' },
  }),
  Completeness: objectOf({
    at: time,
    grace_ms: count,
    totals: objectOf({ instances: count, served: count, stored: count, in_flight: count, spooled: count, dead_lettered: count, missing: count }),
    instances: {
      type: 'array',
      description: 'Per API instance: served = stored + dead_lettered + spooled + in_flight + missing.',
      items: objectOf({
        instance_id: { type: 'string' },
        served: count,
        stored: count,
        in_flight: count,
        spooled: count,
        dead_lettered: count,
        missing: count,
        last_report_at: orNull('string', { format: 'date-time' }),
        reporting: { type: 'boolean' },
      }),
    },
  }),
};
