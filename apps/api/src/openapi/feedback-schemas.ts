import { MAX_FEEDBACK_LABELS } from '@vigil/records';
import { objectOf, schemaRef, type JsonSchema } from './openapi-types';

// As readLabel (@vigil/records) checks them: the ids /predict issues are UUIDs, but back-filled ones are kept too.
const predictionId: JsonSchema = {
  type: 'string',
  pattern: '^[\\x21-\\x7e]{1,128}$',
  description: 'The prediction_id POST /predict answered (any 1-128 printable characters, no spaces).',
};
const label: JsonSchema = { type: 'integer', enum: [0, 1], description: 'The outcome: 1 fraud, 0 not.' };

/** POST /feedback's bodies and answer. */
export const FEEDBACK_SCHEMAS: Readonly<Record<string, JsonSchema>> = {
  Label: {
    type: 'object',
    description: 'The ground truth for one prediction.',
    required: ['prediction_id', 'label'],
    properties: {
      prediction_id: predictionId,
      label,
      labeled_at: {
        type: 'string',
        format: 'date-time',
        description: 'When the truth was decided (a chargeback date): ISO 8601 with seconds and a zone. Default: when Vigil receives it.',
      },
    },
    additionalProperties: false,
  },
  LabelBatch: {
    type: 'object',
    description: `Up to ${MAX_FEEDBACK_LABELS} labels, stored all or none.`,
    required: ['labels'],
    properties: { labels: { type: 'array', minItems: 1, maxItems: MAX_FEEDBACK_LABELS, items: schemaRef('Label') } },
    additionalProperties: false,
  },
  FeedbackRequest: {
    description: 'One label, or {"labels": [...]}.',
    oneOf: [schemaRef('Label'), schemaRef('LabelBatch')],
  },
  FeedbackAccepted: objectOf(
    {
      accepted: { type: 'integer', minimum: 1, maximum: MAX_FEEDBACK_LABELS },
      received_at: { type: 'string', format: 'date-time', description: 'When Vigil took them (ISO 8601 UTC).' },
      labels: {
        type: 'array',
        items: objectOf(
          { prediction_id: predictionId, label, labeled_at: { type: 'string', format: 'date-time', description: 'Normalised to ISO 8601 UTC.' } },
          { additionalProperties: false },
        ),
      },
    },
    { additionalProperties: false },
  ),
};
