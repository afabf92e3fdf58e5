import { existsSync } from 'node:fs';
import type { ModelSpec } from '@vigil/model';
import type { MonitoringReader } from '@vigil/stores';
import { DEFAULT_DRIFT_CONFIG } from './default-drift-config';
import { checkDriftConfig, loadDriftConfig } from './drift-config';
import { DriftService } from './drift-service';
import { loadReference } from './reference';

/**
 * The settings drift needs. Field names match the validated `Config` of
 * @vigil/config, so a process passes its config itself.
 */
export interface DriftSettings {
  readonly driftConfigPath: string;
  /**
   * Whether DRIFT_CONFIG_PATH was set. Unset (false), a missing file means the
   * built-in defaults; set, it stops start-up like a broken one.
   * @defaultValue true
   */
  readonly driftConfigPathGiven?: boolean;
  readonly referencePath: string;
  /** Features the API hashes or drops before logging: their stored values say nothing about drift. */
  readonly logRedactFeatures: readonly string[] | undefined;
}

export interface CreateDriftServiceOptions {
  readonly settings: DriftSettings;
  readonly spec: ModelSpec;
  readonly reader: MonitoringReader;
}

/**
 * The one way the API, the worker's alerting and the CLI build drift: the
 * drift config (checked against the spec's features) and the training
 * reference are read here, once, so a broken file stops start-up with a
 * DriftError naming it (a drift config missing where the unset
 * DRIFT_CONFIG_PATH looked gives the built-in defaults instead).
 */
export function createDriftService(options: CreateDriftServiceOptions): DriftService {
  const { settings, spec, reader } = options;
  return new DriftService({
    reader,
    spec,
    config:
      settings.driftConfigPathGiven === false && !existsSync(settings.driftConfigPath)
        ? checkDriftConfig(DEFAULT_DRIFT_CONFIG, spec.features, 'built-in drift defaults')
        : loadDriftConfig(settings.driftConfigPath, spec.features),
    reference: loadReference(settings.referencePath),
    redacted: new Set(settings.logRedactFeatures ?? []),
  });
}
