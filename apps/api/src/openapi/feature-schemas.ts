import type { FeatureRecord, FeatureSpec, FeatureValue, ModelSpec } from '@vigil/model';
import { schemaRef, type JsonSchema } from './openapi-types';

/**
 * The schemas built from the loaded model's spec: what POST /predict takes
 * is exactly what findFeatureProblems (@vigil/model) accepts, so the
 * document says it the same way, feature by feature.
 */

/** The model's own words for a feature, or a sentence made from its type. */
function describeFeature(feature: FeatureSpec): string {
  if (feature.description !== undefined && feature.description !== '') return feature.description;
  switch (feature.type) {
    case 'number':
    case 'integer':
      return `A${feature.type === 'integer' ? 'n integer' : ' number'} from ${feature.min} to ${feature.max}.`;
    case 'boolean':
      return 'true or false.';
    case 'categorical':
      return `One of: ${feature.categories.join(', ')}.`;
  }
}

/** One feature's value: its JSON type and the range or categories the API checks. */
export function featureSchema(feature: FeatureSpec): JsonSchema {
  const description = describeFeature(feature);
  switch (feature.type) {
    case 'number':
    case 'integer':
      return { type: feature.type, minimum: feature.min, maximum: feature.max, description };
    case 'boolean':
      return { type: 'boolean', description };
    case 'categorical':
      return { type: 'string', enum: [...feature.categories], description };
  }
}

/** One instance: every feature of the spec, nothing else (an unknown feature is a 422). */
export function featuresSchema(spec: Pick<ModelSpec, 'features' | 'model_version'>): JsonSchema {
  return {
    type: 'object',
    description: `The ${spec.features.length} input features of ${spec.model_version}; every one is required, any other key is refused (422 INVALID_FEATURES).`,
    required: spec.features.map((feature) => feature.name),
    properties: Object.fromEntries(spec.features.map((feature) => [feature.name, featureSchema(feature)])),
    additionalProperties: false,
  };
}

/** A value inside a feature's range: the middle of a numeric range, false, the first category. */
function exampleValue(feature: FeatureSpec): FeatureValue {
  switch (feature.type) {
    case 'number':
      return (feature.min + feature.max) / 2;
    case 'integer': {
      const middle = Math.round((feature.min + feature.max) / 2);
      return middle >= feature.min && middle <= feature.max ? middle : Math.ceil(feature.min);
    }
    case 'boolean':
      return false;
    case 'categorical':
      return feature.categories[0] as string;
  }
}

/** An instance the API accepts, for the document's examples (a test posts it). */
export function exampleFeatures(spec: Pick<ModelSpec, 'features'>): FeatureRecord {
  return Object.fromEntries(spec.features.map((feature) => [feature.name, exampleValue(feature)]));
}

/** The two bodies POST /predict takes: `{features}` for one instance, `{instances}` for a batch of up to `maxInstances`. */
export function predictRequestSchemas(maxInstances: number): Readonly<Record<string, JsonSchema>> {
  return {
    PredictOne: {
      type: 'object',
      description: 'One instance to score.',
      required: ['features'],
      properties: { features: schemaRef('Features') },
      additionalProperties: false,
    },
    PredictBatch: {
      type: 'object',
      description: `A batch, scored together; each instance is logged as its own prediction. At most ${maxInstances} instances (MAX_INSTANCES_PER_REQUEST).`,
      required: ['instances'],
      properties: { instances: { type: 'array', minItems: 1, maxItems: maxInstances, items: schemaRef('Features') } },
      additionalProperties: false,
    },
    PredictRequest: {
      description: 'Exactly one of "features" (one instance) or "instances" (a batch).',
      oneOf: [schemaRef('PredictOne'), schemaRef('PredictBatch')],
    },
  };
}
