import { loadQualityCalibration, PerformanceService, type QualityReferenceSettings } from '@vigil/monitoring';
import { openLabelArrivals, openQualityReader, type LabelArrivals, type MonitoringReaderSettings } from '@vigil/stores';
import { describeKind, type AlertRules } from '../alert-rules';

/** Field names match the validated `Config` of @vigil/config. */
export interface QualitySourceSettings extends MonitoringReaderSettings, QualityReferenceSettings {
  /** QUALITY_REFERENCE_PATH: the labeled reference CBPE calibrates on (as the API's /monitoring/performance). */
  readonly qualityReferencePath: string;
}

export interface QualitySources {
  readonly performance: PerformanceService;
  readonly labelArrivals: LabelArrivals;
  close(): Promise<void>;
}

/** Whether any rule reads model quality: only then is the quality reference loaded. */
function rulesReadQuality(rules: AlertRules): boolean {
  return rules.rules.some((rule) => describeKind(rule.kind).readsQuality);
}

/**
 * What the quality kinds read: the same PerformanceService over the same
 * store that GET /monitoring/performance answers from (the SQLite quality
 * rollups, or with MONITORING_STORE=postgres the audit, which holds every
 * worker's predictions and labels where each worker's own SQLite file holds
 * only its share), and when the newest label arrived. undefined when no rule
 * reads them. A broken reference, or a missing one QUALITY_REFERENCE_PATH
 * names, stops start-up (INVALID_REFERENCE), as it stops the API's; none
 * beside the model with the variable unset leaves the estimated kinds
 * without a verdict (their figures are null) and the realized ones working.
 */
export function openQualitySources(settings: QualitySourceSettings, rules: AlertRules): QualitySources | undefined {
  if (!rulesReadQuality(rules)) return undefined;
  const { calibrator } = loadQualityCalibration(settings);
  const reader = openQualityReader(settings);
  const labelArrivals = openLabelArrivals(settings);
  return {
    performance: new PerformanceService(reader, calibrator),
    labelArrivals,
    async close() {
      // A Postgres reader's close ends its pool (async); a SQLite one's is synchronous.
      await labelArrivals.close();
      await reader.close();
    },
  };
}
