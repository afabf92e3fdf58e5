import type { Config } from '@vigil/config';
import { loadReference } from '@vigil/drift';
import { CompareService, referencesBeside, type ModelReferences } from '@vigil/monitoring';
import type { IsotonicCalibrator } from '@vigil/quality';
import { SqliteShadowReader } from '@vigil/stores';

/**
 * /monitoring/compare's service: shadow scores are stored in the SQLite file only, so with
 * MONITORING_STORE=postgres (or no shadow configured, or no file yet) there is none.
 */
export function openCompare(config: Config, championCalibrator: IsotonicCalibrator | undefined, shadowVersion: string | undefined): CompareService | undefined {
  if (config.monitoringStore !== 'sqlite' || config.shadowModelPath === undefined || shadowVersion === undefined) return undefined;
  const champion: ModelReferences = { probabilities: loadReference(config.referencePath).probabilities, calibrator: championCalibrator };
  return new CompareService(SqliteShadowReader.open(config.sqlitePath), {
    champion,
    shadows: new Map([[shadowVersion, referencesBeside(config.shadowModelPath)]]),
  });
}
