import { VigilError } from '@vigil/errors';
import { VARIABLES, type VariableDefinition, type VariableKey } from './variables';

type ParsedValue<D> = D extends VariableDefinition<infer T> ? T : never;
type Defaulted = { [K in VariableKey]: (typeof VARIABLES)[K]['defaultValue'] extends string ? K : never }[VariableKey];

/** The validated, frozen configuration. Optional settings are `undefined` when not given. */
export type Config = Readonly<
  { [K in Defaulted]: ParsedValue<(typeof VARIABLES)[K]> } & {
    [K in Exclude<VariableKey, Defaulted>]: ParsedValue<(typeof VARIABLES)[K]> | undefined;
  } & { modelSpecPath: string }
>;

export type ConfigErrorCode = 'CONFIG_INVALID';

/**
 * Reads every variable once, collects all problems (so an operator fixes them
 * in one go), and returns a frozen object. Packages receive this object; none
 * reads process.env itself.
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): Config {
  const problems: string[] = [];
  const values: Record<string, unknown> = {};
  for (const [key, definition] of Object.entries(VARIABLES) as [VariableKey, VariableDefinition<unknown>][]) {
    const given = env[definition.name];
    const raw = given === undefined || given === '' ? definition.defaultValue : given;
    if (raw === undefined) {
      values[key] = undefined;
      continue;
    }
    try {
      values[key] = definition.parse(raw);
    } catch (error) {
      problems.push(`${definition.name}=${JSON.stringify(redactUrl(raw))}: ${(error as Error).message}`);
    }
  }
  if (problems.length > 0) {
    throw new VigilError<ConfigErrorCode>('CONFIG_INVALID', `Invalid configuration:\n  ${problems.join('\n  ')}`, 500, { problems });
  }
  const modelPath = values.modelPath as string;
  values.modelSpecPath = modelPath.replace(/\.onnx$/i, '') + '.spec.json';
  return Object.freeze(values) as Config;
}

/** Connection strings carry passwords; error messages must never show them. */
export function redactUrl(raw: string): string {
  return raw.replace(/(\/\/[^:/@]*:)[^@]*@/, '$1***@');
}
