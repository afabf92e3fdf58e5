import { FEATURE_SPECS, type FeatureSpec } from '@vigil/training';

/** One shift applied to generated traffic: `amount:x3`, `velocity:+5`, `card_present:=false`, `merchant_category:=travel`. */
export type Shift =
  | { readonly feature: string; readonly kind: 'scale'; readonly by: number }
  | { readonly feature: string; readonly kind: 'add'; readonly by: number }
  | { readonly feature: string; readonly kind: 'set'; readonly value: number | boolean | string };

/**
 * Parses `--drift` values, e.g. "amount:x3,card_present:=false", against the
 * model's features, so a typo fails loudly instead of sending unshifted traffic.
 */
export function parseDriftSpec(text: string, features: readonly FeatureSpec[] = FEATURE_SPECS): Shift[] {
  if (text.trim() === '') return [];
  return text.split(',').map((part) => {
    const match = /^([a-z0-9_]+):(x|\+|-|=)(.+)$/.exec(part.trim());
    if (match === null) throw new Error(`--drift "${part}": expected feature:xN, feature:+N, feature:-N or feature:=value`);
    const [, name, op, raw] = match as unknown as [string, string, string, string];
    const feature = features.find((f) => f.name === name);
    if (feature === undefined) throw new Error(`--drift "${part}": no feature "${name}" (features: ${features.map((f) => f.name).join(', ')})`);
    if (op === '=') {
      if (feature.type === 'boolean') {
        if (raw !== 'true' && raw !== 'false') throw new Error(`--drift "${part}": ${name} takes =true or =false`);
        return { feature: name, kind: 'set', value: raw === 'true' };
      }
      if (feature.type === 'categorical') {
        if (!feature.categories.includes(raw)) throw new Error(`--drift "${part}": ${name} takes one of ${feature.categories.join(', ')}`);
        return { feature: name, kind: 'set', value: raw };
      }
      return { feature: name, kind: 'set', value: Number(raw) };
    }
    if (feature.type !== 'number' && feature.type !== 'integer') throw new Error(`--drift "${part}": only numeric features can be scaled or shifted`);
    const by = Number(raw);
    if (!Number.isFinite(by)) throw new Error(`--drift "${part}": "${raw}" is not a number`);
    return op === 'x' ? { feature: name, kind: 'scale', by } : { feature: name, kind: 'add', by: op === '-' ? -by : by };
  });
}

/** Applies the shifts to one instance, keeping values inside the spec's bounds (so requests stay valid). */
export function applyShifts(
  features: Record<string, number | boolean | string>,
  shifts: readonly Shift[],
  specs: readonly FeatureSpec[] = FEATURE_SPECS,
): Record<string, number | boolean | string> {
  const shifted = { ...features };
  for (const shift of shifts) {
    const spec = specs.find((f) => f.name === shift.feature);
    if (shift.kind === 'set') {
      shifted[shift.feature] = shift.value;
      continue;
    }
    const current = shifted[shift.feature] as number;
    let value = shift.kind === 'scale' ? current * shift.by : current + shift.by;
    if (spec !== undefined && (spec.type === 'number' || spec.type === 'integer')) {
      value = Math.min(spec.max, Math.max(spec.min, value));
      if (spec.type === 'integer') value = Math.round(value);
    }
    shifted[shift.feature] = value;
  }
  return shifted;
}
