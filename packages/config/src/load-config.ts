import { dirname, join } from 'node:path';
import { VigilError } from '@vigil/errors';
import { VARIABLES, type VariableDefinition, type VariableKey } from './variables';

type ParsedValue<D> = D extends VariableDefinition<infer T> ? T : never;
type Defaulted = { [K in VariableKey]: (typeof VARIABLES)[K]['defaultValue'] extends string ? K : never }[VariableKey];

/** The validated, frozen configuration. Optional settings are `undefined` when not given. */
export type Config = Readonly<
  { [K in Defaulted]: ParsedValue<(typeof VARIABLES)[K]> } & {
    [K in Exclude<VariableKey, Defaulted>]: ParsedValue<(typeof VARIABLES)[K]> | undefined;
  } & {
    modelSpecPath: string;
    shadowModelSpecPath?: string;
    /** Whether DRIFT_CONFIG_PATH was set: only then is a missing file an error (unset, the built-in defaults apply). */
    driftConfigPathGiven: boolean;
    /** Whether QUALITY_REFERENCE_PATH was set: only then is a missing file an error (unset, the estimates are unavailable). */
    qualityReferencePathGiven: boolean;
  }
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
  const failed = new Set<VariableKey>();
  const isGiven = (name: string) => env[name] !== undefined && env[name] !== '';
  // The model's folder holds its reference and settings unless a variable says otherwise (MODEL_PATH itself is checked in the loop).
  const modelFolder = dirname(isGiven(VARIABLES.modelPath.name) ? env[VARIABLES.modelPath.name]! : VARIABLES.modelPath.defaultValue);
  for (const [key, definition] of Object.entries(VARIABLES) as [VariableKey, VariableDefinition<unknown>][]) {
    const given = env[definition.name];
    const fallback = definition.besideModel === undefined ? definition.defaultValue : join(modelFolder, definition.besideModel);
    const raw = given === undefined || given === '' ? fallback : given;
    if (raw === undefined) {
      values[key] = undefined;
      continue;
    }
    try {
      values[key] = definition.parse(raw);
    } catch (error) {
      failed.add(key);
      // Keys and salts end up in shell history and CI logs if echoed; their length is enough to spot a truncated paste.
      const shown = definition.secret === true ? `<secret, ${raw.length} characters>` : JSON.stringify(redactUrl(raw));
      problems.push(`${definition.name}=${shown}: ${(error as Error).message}`);
    }
  }
  problems.push(...crossChecks(values, failed));
  if (problems.length > 0) throw configError(problems);
  const modelPath = values.modelPath as string;
  values.modelSpecPath = modelPath.replace(/\.onnx$/i, '') + '.spec.json';
  values.driftConfigPathGiven = isGiven(VARIABLES.driftConfigPath.name);
  values.qualityReferencePathGiven = isGiven(VARIABLES.qualityReferencePath.name);
  const shadowPath = values.shadowModelPath as string | undefined;
  if (shadowPath !== undefined) values.shadowModelSpecPath = shadowPath.replace(/\.onnx$/i, '') + '.spec.json';
  return Object.freeze(values) as Config;
}

/**
 * The one CONFIG_INVALID error: every problem on a line of its own. Also for
 * the checks that need more than the environment (LOG_REDACT_FEATURES against
 * the model spec, made at start-up), so operators see one shape of message.
 */
export function configError(problems: readonly string[], details: Record<string, unknown> = {}): VigilError<ConfigErrorCode> {
  return new VigilError<ConfigErrorCode>('CONFIG_INVALID', `Invalid configuration:\n  ${problems.join('\n  ')}`, { ...details, problems: [...problems] });
}

/** Rules that tie variables together; a variable that failed its own parse is not judged again here. */
function crossChecks(values: Readonly<Record<string, unknown>>, failed: ReadonlySet<VariableKey>): string[] {
  const problems: string[] = [];
  if (values.nodeEnv === 'production' && values.monitoringApiKey === undefined && !failed.has('monitoringApiKey')) {
    problems.push('MONITORING_API_KEY: required when NODE_ENV=production (without it /monitoring and /admin answer anyone)');
  }
  if (values.predictApiKey !== undefined && values.predictApiKey === values.monitoringApiKey) {
    problems.push('PREDICT_API_KEY: must differ from MONITORING_API_KEY (a /predict client could otherwise read monitoring)');
  }
  for (const other of ['monitoringApiKey', 'adminApiKey'] as const) {
    if (values.feedbackApiKey !== undefined && values.feedbackApiKey === values[other]) {
      const name = other === 'adminApiKey' ? 'ADMIN_API_KEY' : 'MONITORING_API_KEY';
      problems.push(`FEEDBACK_API_KEY: must differ from ${name} (a label sender could otherwise read or change monitoring)`);
    }
  }
  // Without the write key the read key also replays dead letters and acts on the queue (start-up warns):
  // acceptable on a laptop, not where dashboards and their viewers hold the read key.
  if (values.nodeEnv === 'production' && values.adminApiKey === undefined && !failed.has('adminApiKey')) {
    problems.push('ADMIN_API_KEY: required when NODE_ENV=production (without it MONITORING_API_KEY also replays dead letters and acts on the queue)');
  }
  if (values.adminApiKey !== undefined && values.adminApiKey === values.monitoringApiKey) {
    problems.push('ADMIN_API_KEY: must differ from MONITORING_API_KEY (the read key would otherwise also allow the writes)');
  }
  if (values.adminApiKey !== undefined && values.adminApiKey === values.predictApiKey) {
    problems.push('ADMIN_API_KEY: must differ from PREDICT_API_KEY (a /predict client could otherwise replay dead letters and act on the queue)');
  }
  if (values.logRedactFeatures !== undefined && values.logRedactMode === 'hash' && values.logRedactSalt === undefined && !failed.has('logRedactSalt')) {
    problems.push(
      'LOG_REDACT_SALT: required when LOG_REDACT_FEATURES is set and LOG_REDACT_MODE=hash (an unkeyed hash of a low-cardinality value is reversible)',
    );
  }
  if (values.monitoringStore === 'postgres' && values.auditDatabaseUrl === undefined && !failed.has('auditDatabaseUrl')) {
    problems.push('AUDIT_DATABASE_URL: required when MONITORING_STORE=postgres (monitoring reads the Postgres audit)');
  }
  return problems;
}

/** Connection strings carry passwords; error messages must never show them. */
export function redactUrl(raw: string): string {
  return raw.replace(/(\/\/[^:/@]*:)[^@]*@/, '$1***@');
}
