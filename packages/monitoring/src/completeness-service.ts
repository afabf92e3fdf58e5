import type { SeqRangeRow } from '@vigil/stores';
import { computeCompleteness, type Completeness, type InstanceReportInput } from './completeness';
import { MonitoringError } from './errors';

/**
 * The longest grace a question may give: instances keep an hour of their
 * `served` history, so a longer one could not be answered.
 */
export const MAX_GRACE_MS = 3_600_000;

const GRACE_UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/** A `grace` query parameter: a whole number and ms, s, m or h (`60s`, `5m`), at most 1h; the fallback when absent. */
export function parseGrace(raw: unknown, fallbackMs: number): number {
  if (raw === undefined) return fallbackMs;
  const match = typeof raw === 'string' ? /^(\d{1,7})(ms|s|m|h)$/.exec(raw) : null;
  const ms = match === null ? Number.NaN : Number(match[1]) * GRACE_UNIT_MS[match[2] as keyof typeof GRACE_UNIT_MS];
  if (!(ms <= MAX_GRACE_MS)) {
    throw new MonitoringError('INVALID_QUERY_PARAMETER', 'grace must be a whole number followed by ms, s, m or h (e.g. 60s, 5m), at most 1h', {
      parameter: 'grace',
      received: typeof raw === 'string' ? raw.slice(0, 64) : typeof raw,
    });
  }
  return ms;
}

/** Where completeness comes from: the monitoring store's sequence runs, and the instances' reports in Redis. */
export interface CompletenessSources {
  readonly ranges: () => Promise<readonly SeqRangeRow[]>;
  readonly reports: () => Promise<readonly InstanceReportInput[]>;
}

/** Answers /monitoring/completeness, the completeness gauges and the records_missing alert from one place. */
export class CompletenessService {
  constructor(
    private readonly sources: CompletenessSources,
    /** COMPLETENESS_GRACE_MS: the grace when a question gives none. */
    readonly defaultGraceMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  async report(graceMs = this.defaultGraceMs): Promise<Completeness> {
    // Reports first: a record stored between the two reads then shows as stored, never as missing.
    const reports = await this.sources.reports();
    const ranges = await this.sources.ranges();
    return computeCompleteness(ranges, reports, { now: this.now(), graceMs });
  }
}
