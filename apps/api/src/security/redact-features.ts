import { createHmac } from 'node:crypto';
import { configError } from '@vigil/config';
import type { FeatureRecord, FeatureValue, ModelSpec } from '@vigil/model';

export type RedactMode = 'hash' | 'drop';

/** Turns the features a client sent into the features that get logged. */
export type FeatureRedactor = (features: FeatureRecord) => FeatureRecord;

/** What to redact. Field names match the validated `Config`, so start-api can pass `config` itself. */
export interface RedactionOptions {
  readonly logRedactFeatures: readonly string[] | undefined;
  readonly logRedactMode: RedactMode;
  /** HMAC key; required in hash mode (loadConfig refuses hash mode without LOG_REDACT_SALT). */
  readonly logRedactSalt: string | undefined;
}

/**
 * `sha256:` + hex HMAC-SHA256 of the value as text (`String(value)`), keyed
 * with the salt. Equal values hash equal, so an operator can still count and
 * join on them; without the salt nobody can hash guesses to recover them.
 */
export function hashFeatureValue(value: FeatureValue, salt: string): string {
  return `sha256:${createHmac('sha256', salt).update(String(value), 'utf8').digest('hex')}`;
}

/** Pure: a new record with each named feature hashed or left out; the input is not touched. */
export function redactFeatures(features: FeatureRecord, names: ReadonlySet<string>, mode: RedactMode, salt: string | undefined): FeatureRecord {
  if (mode === 'hash' && salt === undefined) throw new RangeError('redactFeatures: hash mode needs a salt');
  const redacted: Record<string, FeatureValue> = {};
  for (const [name, value] of Object.entries(features)) {
    if (!names.has(name)) redacted[name] = value;
    else if (mode === 'hash') redacted[name] = hashFeatureValue(value, salt as string);
  }
  return redacted;
}

/**
 * The redactor for a served model, or undefined when nothing is to be
 * redacted. Every name must be one of the model's features: a typo would
 * otherwise log the very value it was meant to hide, so it stops start-up.
 * (Only this check lives here, because it needs the model spec; the rules
 * between variables, such as hash mode needing a salt, are loadConfig's.)
 */
export function createFeatureRedactor(options: RedactionOptions, spec: Pick<ModelSpec, 'features' | 'model_version'>): FeatureRedactor | undefined {
  const names = options.logRedactFeatures;
  if (names === undefined || names.length === 0) return undefined;
  const known = spec.features.map((feature) => feature.name);
  const unknown = names.filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    const shown = unknown.map((name) => JSON.stringify(name.slice(0, 64))).join(', ');
    throw configError([`LOG_REDACT_FEATURES names features model ${spec.model_version} does not have: ${shown} (it has: ${known.join(', ')})`], {
      variable: 'LOG_REDACT_FEATURES',
      unknown,
      known,
    });
  }
  const set = new Set(names);
  const { logRedactMode: mode, logRedactSalt: salt } = options;
  return (features) => redactFeatures(features, set, mode, salt);
}
