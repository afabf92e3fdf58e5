import type { ModelSpec } from '@vigil/model';
import { objectOf, schemaRef, type JsonSchema } from './openapi-types';

/** What POST /predict and GET /model answer, with the served model's version and threshold in them. */
export function predictionSchemas(spec: Pick<ModelSpec, 'model_version' | 'threshold'>, maxInstances: number): Readonly<Record<string, JsonSchema>> {
  const modelVersion = { type: 'string', description: 'The version of the model that scored it.', examples: [spec.model_version] };
  return {
    Prediction: objectOf(
      {
        prediction_id: {
          type: 'string',
          format: 'uuid',
          description: 'UUIDv7 of this prediction, logged with it: send it back with POST /feedback once the outcome is known.',
        },
        model_version: modelVersion,
        prediction: { type: 'integer', enum: [0, 1], description: `1 (fraud) when probability >= ${spec.threshold}, the model's threshold; else 0.` },
        probability: { type: 'number', minimum: 0, maximum: 1, description: 'P(fraud) from the model.' },
        latency_ms: {
          type: 'number',
          minimum: 0,
          description: 'Server-side time to validate and score the request, in ms (monotonic clock); a batch shares one.',
        },
      },
      { additionalProperties: false },
    ),
    BatchPrediction: objectOf(
      {
        model_version: modelVersion,
        predictions: { type: 'array', minItems: 1, maxItems: maxInstances, items: schemaRef('Prediction'), description: 'One per instance, in order.' },
      },
      { additionalProperties: false },
    ),
    FeatureSpec: {
      type: 'object',
      description: 'One input feature: numeric with its range, boolean, or categorical with its categories.',
      required: ['name', 'type'],
      properties: {
        name: { type: 'string' },
        type: { type: 'string', enum: ['number', 'integer', 'boolean', 'categorical'] },
        min: { type: 'number' },
        max: { type: 'number' },
        categories: { type: 'array', items: { type: 'string' } },
        description: { type: 'string' },
      },
    },
    ModelSpec: {
      type: 'object',
      description: 'The spec file served beside the model (its other fields, if any, say how the model is fed).',
      required: ['model_version', 'output_name', 'threshold', 'features'],
      properties: {
        model_version: { type: 'string', examples: [spec.model_version] },
        input_name: { type: 'string' },
        output_name: { type: 'string' },
        threshold: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1, examples: [spec.threshold] },
        features: { type: 'array', minItems: 1, items: schemaRef('FeatureSpec') },
      },
    },
    ModelInfo: objectOf({
      model_version: modelVersion,
      max_instances_per_request: { type: 'integer', minimum: 1, examples: [maxInstances], description: 'MAX_INSTANCES_PER_REQUEST.' },
      spec: schemaRef('ModelSpec'),
    }),
  };
}
