import type { FeatureProblem } from './errors';
import type { FeatureSpec, ModelSpec } from './model-spec';

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function checkValue(feature: FeatureSpec, value: unknown, path: string, problems: FeatureProblem[]): void {
  switch (feature.type) {
    case 'number':
    case 'integer': {
      if (typeof value !== 'number') {
        problems.push({ path, problem: `expected a ${feature.type}, got ${describe(value)}` });
      } else if (!Number.isFinite(value)) {
        problems.push({ path, problem: 'expected a finite number' });
      } else if (feature.type === 'integer' && !Number.isInteger(value)) {
        problems.push({ path, problem: `expected an integer, got ${value}` });
      } else if (value < feature.min || value > feature.max) {
        problems.push({ path, problem: `expected a value from ${feature.min} to ${feature.max}, got ${value}` });
      }
      return;
    }
    case 'boolean':
      if (typeof value !== 'boolean') problems.push({ path, problem: `expected true or false, got ${describe(value)}` });
      return;
    case 'categorical':
      if (typeof value !== 'string') {
        problems.push({ path, problem: `expected one of ${feature.categories.join(', ')}, got ${describe(value)}` });
      } else if (!feature.categories.includes(value)) {
        problems.push({ path, problem: `expected one of ${feature.categories.join(', ')}, got ${JSON.stringify(value.slice(0, 64))}` });
      }
      return;
  }
}

/**
 * Checks one instance against the spec and returns every problem found (empty
 * when valid), so a client fixes a request in one round trip.
 */
export function findFeatureProblems(spec: ModelSpec, value: unknown, path: string): FeatureProblem[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return [{ path, problem: `expected an object of features, got ${describe(value)}` }];
  }
  const problems: FeatureProblem[] = [];
  const record = value as Record<string, unknown>;
  for (const feature of spec.features) {
    if (!Object.hasOwn(record, feature.name)) {
      problems.push({ path: `${path}.${feature.name}`, problem: 'missing' });
    } else {
      checkValue(feature, record[feature.name], `${path}.${feature.name}`, problems);
    }
  }
  const known = new Set(spec.features.map((feature) => feature.name));
  for (const key of Object.keys(record)) {
    if (!known.has(key)) problems.push({ path: `${path}.${key.slice(0, 64)}`, problem: 'unknown feature' });
    if (problems.length >= 50) break; // a hostile body with 10k keys must not make a 10k-entry answer
  }
  return problems;
}
