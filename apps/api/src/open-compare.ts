import type { Config } from '@vigil/config';
import { loadReference } from '@vigil/drift';
import { CompareService, referencesBeside, type ModelReferences } from '@vigil/monitoring';
import type { IsotonicCalibrator } from '@vigil/quality';
import { PostgresShadowReader, SqliteShadowReader } from '@vigil/stores';

/**
 * /monitoring/compare's service, from the monitoring store: the SQLite file, or with
 * MONITORING_STORE=postgres the audit, which holds every worker host's shadow scores.
 */
export function openCompare(config: Config, championCalibrator: IsotonicCalibrator | undefined, shadowVersion: string | undefined): CompareService | undefined {
  if (config.shadowModelPath === undefined || shadowVersion === undefined) return undefined;
  const champion: ModelReferences = { probabilities: loadReference(config.referencePath).probabilities, calibrator: championCalibrator };
  const source =
    config.monitoringStore === 'postgres' && config.auditDatabaseUrl !== undefined
      ? PostgresShadowReader.open({ connectionString: config.auditDatabaseUrl, schema: config.auditSchema })
      : SqliteShadowReader.open(config.sqlitePath);
  return new CompareService(source, {
    champion,
    shadows: new Map([[shadowVersion, referencesBeside(config.shadowModelPath)]]),
  });
}
