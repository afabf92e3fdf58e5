import { LatencyHistogram } from './latency-histogram';

/** The fields of a prediction that rollups summarise. */
export interface RollupInput {
  readonly timestamp: string;
  readonly model_version: string;
  readonly prediction: 0 | 1;
  readonly latency_ms: number;
}

/** Everything the monitoring endpoints need about one minute of one model version. */
export interface MinuteRollup {
  /** Start of the minute, in minutes since the epoch. */
  readonly minute: number;
  readonly model_version: string;
  fraud: number;
  non_fraud: number;
  readonly latency: LatencyHistogram;
}

/** The last timestamp's minute text (`YYYY-MM-DDTHH:MM`) and its minute, for minuteOf; none at first. */
let lastMinuteText: string | undefined;
let lastMinute = Number.NaN;

const isDigit = (code: number, highest = 57 /* 9 */): boolean => code >= 48 /* 0 */ && code <= highest;

/**
 * True when `iso` has a stored timestamp's shape, `YYYY-MM-DDTHH:MM:SS.sssZ`,
 * with valid seconds and milliseconds: then its first 16 characters alone
 * decide its minute, and Date.parse accepts it when it accepts those.
 */
function endsLikeStoredTimestamp(iso: string): boolean {
  return (
    iso.length === 24 &&
    iso.charCodeAt(16) === 58 /* : */ &&
    isDigit(iso.charCodeAt(17), 53 /* 5 */) &&
    isDigit(iso.charCodeAt(18)) &&
    iso.charCodeAt(19) === 46 /* . */ &&
    isDigit(iso.charCodeAt(20)) &&
    isDigit(iso.charCodeAt(21)) &&
    isDigit(iso.charCodeAt(22)) &&
    iso.charCodeAt(23) === 90 /* Z */
  );
}

/**
 * Minutes since the epoch of an ISO 8601 timestamp. The rows of a batch
 * nearly all share a minute, and Date.parse per row was a few percent of
 * the worker's time: a stored timestamp (UTC, milliseconds) names its
 * minute in its first 16 characters, so one that starts like the last one
 * parsed has that one's minute. Any other string is parsed as it is.
 */
export function minuteOf(isoTimestamp: string): number {
  if (!endsLikeStoredTimestamp(isoTimestamp)) return Math.floor(Date.parse(isoTimestamp) / 60_000);
  if (lastMinuteText !== undefined && isoTimestamp.startsWith(lastMinuteText)) return lastMinute;
  const minute = Math.floor(Date.parse(isoTimestamp) / 60_000);
  // Only a timestamp that parsed names a minute for the ones after it.
  if (!Number.isNaN(minute)) {
    lastMinuteText = isoTimestamp.slice(0, 16);
    lastMinute = minute;
  }
  return minute;
}

/**
 * Groups newly stored predictions by (minute, model version). The worker
 * feeds it only rows its insert actually added, so a redelivered batch
 * never counts twice.
 */
export function rollUp(records: Iterable<RollupInput>): MinuteRollup[] {
  const byKey = new Map<string, MinuteRollup>();
  // The rows of a batch mostly share a minute and version: the last row's rollup is looked up once per run of them.
  let last: MinuteRollup | undefined;
  for (const record of records) {
    const minute = minuteOf(record.timestamp);
    let rollup = last !== undefined && last.minute === minute && last.model_version === record.model_version ? last : undefined;
    if (rollup === undefined) {
      const key = `${minute}|${record.model_version}`;
      rollup = byKey.get(key);
      if (rollup === undefined) {
        rollup = { minute, model_version: record.model_version, fraud: 0, non_fraud: 0, latency: new LatencyHistogram() };
        byKey.set(key, rollup);
      }
      last = rollup;
    }
    if (record.prediction === 1) rollup.fraud += 1;
    else rollup.non_fraud += 1;
    rollup.latency.add(record.latency_ms);
  }
  return [...byKey.values()];
}

/**
 * Rollups merged `factor` keys to one (minutes to hours with 60, hours to days
 * with 24): `minute` of each result holds the coarser key. See ROLLUP_LEVELS.
 */
export function coarsen(rollups: Iterable<MinuteRollup>, factor: number): MinuteRollup[] {
  const byKey = new Map<string, MinuteRollup>();
  for (const m of rollups) {
    const coarser = Math.floor(m.minute / factor);
    const key = `${coarser}|${m.model_version}`;
    let rollup = byKey.get(key);
    if (rollup === undefined) {
      rollup = { minute: coarser, model_version: m.model_version, fraud: 0, non_fraud: 0, latency: new LatencyHistogram() };
      byKey.set(key, rollup);
    }
    rollup.fraud += m.fraud;
    rollup.non_fraud += m.non_fraud;
    rollup.latency.merge(m.latency);
  }
  return [...byKey.values()];
}

/** Several minutes merged into one summary (the answer for a window). */
export interface RollupSummary {
  fraud: number;
  non_fraud: number;
  readonly latency: LatencyHistogram;
}

export function emptySummary(): RollupSummary {
  return { fraud: 0, non_fraud: 0, latency: new LatencyHistogram() };
}
