import { objectOf, schemaRef, type JsonSchema } from './openapi-types';

const time: JsonSchema = { type: 'string', format: 'date-time' };
const kind: JsonSchema = { type: 'string', enum: ['rejected-records', 'failed-batch', 'store-rejected-records'] };

/** The probes' answers and the dead-letter queue's. */
export const SERVICE_SCHEMAS: Readonly<Record<string, JsonSchema>> = {
  Health: objectOf({ status: { const: 'ok' } }, { additionalProperties: false }),
  Readiness: objectOf(
    {
      status: { type: 'string', enum: ['ready', 'degraded', 'not_ready', 'shutting_down'] },
      checks: {
        type: 'object',
        description: 'Each check and what it found: ok, down, full, unwritable, error (it threw), timeout (over 1 s)…',
        additionalProperties: { type: 'string' },
      },
    },
    { additionalProperties: false },
  ),
  DeadLetterSummary: {
    type: 'object',
    required: ['id', 'kind', 'records', 'reason', 'dead_lettered_at'],
    properties: {
      id: { type: 'string' },
      kind,
      records: { type: 'integer', minimum: 0 },
      reason: { type: 'string' },
      source_job_id: { type: 'string', description: 'Absent when the batch had no job id.' },
      dead_lettered_at: time,
    },
  },
  DeadLetters: objectOf({
    count: { type: 'integer', minimum: 0, description: 'Every entry, listed or not.' },
    dead_letters: { type: 'array', items: schemaRef('DeadLetterSummary') },
  }),
  DeadLetter: {
    type: 'object',
    required: ['id', 'kind', 'source_queue', 'reason', 'problems', 'records', 'dead_lettered_at'],
    properties: {
      id: { type: 'string' },
      kind,
      stream: { const: 'labels', description: 'Present for label batches.' },
      source_queue: { type: 'string' },
      source_job_id: { type: 'string' },
      reason: { type: 'string' },
      problems: { type: 'array', items: objectOf({ index: { type: 'integer', minimum: 0 }, problem: { type: 'string' } }) },
      records: { type: 'array', description: 'The records as they arrived (possibly invalid).', items: {} },
      dead_lettered_at: time,
    },
  },
  Replayed: objectOf({ id: { type: 'string' }, records: { type: 'integer', minimum: 0 }, job_id: { type: 'string', description: 'The new log-queue job.' } }),
};
