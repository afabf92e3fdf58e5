import { loadQualityCalibrator, PerformanceService } from '@vigil/monitoring';
import { SqliteLabelArrivals, SqliteQualityReader } from '@vigil/stores';
import { describeKind, type AlertRules } from '../alert-rules';

/** Field names match the validated `Config` of @vigil/config. */
export interface QualitySourceSettings {
  readonly monitoringStore: 'sqlite' | 'postgres';
  readonly sqlitePath: string;
  /** QUALITY_REFERENCE_PATH: the labeled reference CBPE calibrates on (as the API's /monitoring/performance). */
  readonly qualityReferencePath: string;
}

export interface QualitySources {
  readonly performance: PerformanceService;
  readonly labelArrivals: SqliteLabelArrivals;
  close(): void;
}

/** Whether any rule reads model quality: only then is the quality reference loaded. */
export function rulesReadQuality(rules: AlertRules): boolean {
  return rules.rules.some((rule) => describeKind(rule.kind).readsQuality);
}

/**
 * What the quality kinds read: the same PerformanceService over the SQLite
 * quality rollups that GET /monitoring/performance answers from, and when
 * the newest label arrived. undefined when no rule reads them, or with
 * MONITORING_STORE=postgres: there is no Postgres quality reader yet, and a
 * worker's own SQLite file holds only the labels that worker wrote, so those
 * rules give no verdict rather than a wrong one. A missing or broken
 * reference stops start-up (INVALID_REFERENCE), as it stops the API's.
 */
export function openQualitySources(settings: QualitySourceSettings, rules: AlertRules): QualitySources | undefined {
  if (!rulesReadQuality(rules) || settings.monitoringStore !== 'sqlite') return undefined;
  const { calibrator } = loadQualityCalibrator(settings.qualityReferencePath);
  const reader = SqliteQualityReader.open(settings.sqlitePath);
  const labelArrivals = SqliteLabelArrivals.open(settings.sqlitePath);
  return {
    performance: new PerformanceService(reader, calibrator),
    labelArrivals,
    close() {
      labelArrivals.close();
      reader.close();
    },
  };
}
