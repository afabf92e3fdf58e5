import type { ParameterObject } from './openapi-types';

/**
 * The query and path parameters, as @vigil/monitoring's parsers and the
 * routes check them (an unknown query parameter is a 400 on every
 * /monitoring route). Each takes the default its route gives it.
 */

const DURATION = '^[1-9][0-9]{0,5}[mhd]$';

export function windowParameter(fallback: string): ParameterObject {
  return {
    name: 'window',
    in: 'query',
    description: 'A whole number and m, h or d (15m, 1h, 24h, 7d), at most 30d, aligned to whole minutes.',
    schema: { type: 'string', pattern: DURATION, default: fallback },
  };
}

export const MODEL_VERSION: ParameterObject = {
  name: 'model_version',
  in: 'query',
  description: "Only this model version's predictions. Default: every version.",
  schema: { type: 'string', minLength: 1, maxLength: 200 },
};

export const SHADOW_VERSION: ParameterObject = {
  name: 'shadow_version',
  in: 'query',
  description: "Only this shadow model version's comparison. Default: every version.",
  schema: { type: 'string', minLength: 1, maxLength: 200 },
};

export function limitParameter(fallback: number, max: number): ParameterObject {
  return {
    name: 'limit',
    in: 'query',
    description: `How many to list, 1 to ${max}.`,
    schema: { type: 'integer', minimum: 1, maximum: max, default: fallback },
  };
}

export const STEP: ParameterObject = {
  name: 'step',
  in: 'query',
  description: 'One point per step: a whole number and m, h or d.',
  schema: { type: 'string', pattern: DURATION, default: '1m' },
};

/** /monitoring/drift/timeline's bucket: any duration no longer than the window, at most 200 per window. */
export const DRIFT_BUCKET: ParameterObject = {
  name: 'bucket',
  in: 'query',
  description: 'One verdict per bucket: a duration no longer than window, and window/bucket at most 200.',
  schema: { type: 'string', pattern: DURATION, default: '1h' },
};

/** /monitoring/performance/timeline's bucket: the rollups' levels. */
export const PERFORMANCE_BUCKET: ParameterObject = {
  name: 'bucket',
  in: 'query',
  description: 'One bucket per minute, hour or day; at most 1,440 buckets per window.',
  schema: { type: 'string', enum: ['1m', '1h', '1d'], default: '1d' },
};

export const THRESHOLD: ParameterObject = {
  name: 'threshold',
  in: 'query',
  description: "Counts at this threshold (moved to the nearest bin edge) instead of the model's own predictions.",
  schema: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 },
};

export const GRACE: ParameterObject = {
  name: 'grace',
  in: 'query',
  description:
    'Records served less than this long ago count as in flight, not missing: a number and ms, s, m or h, at most 1h. Default: COMPLETENESS_GRACE_MS.',
  schema: { type: 'string', pattern: '^[0-9]{1,7}(ms|s|m|h)$' },
};

export const DEAD_LETTER_ID: ParameterObject = {
  name: 'id',
  in: 'path',
  required: true,
  description: 'A dead-letter id, as GET /admin/dead-letters lists them.',
  schema: { type: 'string', pattern: '^[A-Za-z0-9:_-]{1,128}$' },
};

/** A file of a page's own, by name. */
export function assetParameter(names: readonly string[]): ParameterObject {
  return { name: 'name', in: 'path', required: true, description: 'One of the files the page loads.', schema: { type: 'string', enum: [...names] } };
}
