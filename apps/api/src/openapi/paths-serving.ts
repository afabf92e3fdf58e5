import type { ModelSpec } from '@vigil/model';
import { MAX_FEEDBACK_LABELS } from '@vigil/records';
import type { ErrorCauses } from './error-responses';
import { exampleFeatures } from './feature-schemas';
import { json, schemaRef, type Paths } from './openapi-types';
import { operation, type DocumentContext } from './operation';

/** What the serving routes' document depends on beyond the keys. */
export interface ServingLimits {
  readonly spec: ModelSpec;
  readonly maxInstances: number;
  readonly bodyLimitBytes: number;
}

/** The JSON-body checks before a route sees the body (json-body.ts, error-boundary.ts), then the route's own shape check. */
function bodyErrors(limits: ServingLimits, shape: string): ErrorCauses {
  return {
    MALFORMED_JSON: 'the body is not JSON (NaN and Infinity included)',
    INVALID_REQUEST: shape,
    BODY_TOO_LARGE: `the body is over ${limits.bodyLimitBytes} bytes (BODY_LIMIT_BYTES)`,
    UNSUPPORTED_MEDIA_TYPE: 'not `Content-Type: application/json`, or a charset other than UTF-8',
  };
}

/** POST /predict, POST /feedback and GET /model. */
export function servingPaths(context: DocumentContext, limits: ServingLimits): Paths {
  const { spec, maxInstances } = limits;
  const example = exampleFeatures(spec);
  return {
    '/predict': {
      post: operation(context, {
        operationId: 'predict',
        summary: `Score one instance or a batch with ${spec.model_version}`,
        description:
          'Each instance is validated against the model spec (every feature, its type and its range or categories), scored with onnxruntime ' +
          'and, with prediction logging on, logged for monitoring before the answer is sent.',
        tag: 'serving',
        area: 'predict',
        requestBody: {
          description: `{"features": {...}} for one instance, or {"instances": [...]} for up to ${maxInstances}.`,
          required: true,
          content: {
            'application/json': {
              schema: schemaRef('PredictRequest'),
              examples: {
                one: { summary: 'One instance', value: { features: example } },
                batch: { summary: 'A batch', value: { instances: [example, example] } },
              },
            },
          },
        },
        responses: {
          '200': {
            description: 'The prediction: one object for {"features"}, {model_version, predictions} for {"instances"}.',
            content: json({ oneOf: [schemaRef('Prediction'), schemaRef('BatchPrediction')] }),
          },
        },
        errors: {
          ...bodyErrors(limits, 'the body is not an object with exactly one of "features" or "instances", or "instances" is not a non-empty array'),
          TOO_MANY_INSTANCES: `more than ${maxInstances} instances (MAX_INSTANCES_PER_REQUEST); \`details.limit\` says how many`,
          INVALID_FEATURES: 'a feature is missing, unknown, of the wrong type, out of its range or categories, or not finite; `details.problems` lists each',
          INFERENCE_FAILED: "onnxruntime failed on a validated request, or the model's output was not one probability per instance",
        },
      }),
    },
    '/feedback': {
      post: operation(context, {
        operationId: 'sendFeedback',
        summary: 'Report the true outcome of predictions (labels)',
        description: 'Journaled before the answer, then stored beside their predictions; all of a request or none.',
        tag: 'serving',
        area: 'feedback',
        requestBody: {
          description: `One label, or {"labels": [...]} with up to ${MAX_FEEDBACK_LABELS}.`,
          required: true,
          content: json(schemaRef('FeedbackRequest'), { prediction_id: '0198f5c2-6a1e-7d40-8b55-3c1f2e9a7b10', label: 1, labeled_at: '2026-03-01T12:00:00Z' }),
        },
        responses: { '202': { description: 'Taken: every label will be stored.', content: json(schemaRef('FeedbackAccepted')) } },
        errors: {
          ...bodyErrors(limits, 'the body is not one label nor {"labels": [...]} with a non-empty array'),
          TOO_MANY_LABELS: `more than ${MAX_FEEDBACK_LABELS} labels`,
          INVALID_LABELS: 'a label with a missing or malformed field, or an unknown one; `details.problems` lists each; none is stored',
          NOT_READY: 'prediction logging is off (PREDICTION_LOGGING=off): labels travel the same log',
        },
      }),
    },
    '/model': {
      get: operation(context, {
        operationId: 'getModel',
        summary: 'The served model: its version, input spec and batch limit',
        tag: 'serving',
        area: 'open',
        responses: { '200': { description: 'The model.', content: json(schemaRef('ModelInfo')) } },
      }),
    },
  };
}
