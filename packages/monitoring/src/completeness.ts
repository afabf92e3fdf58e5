import { countRanges, maxSeq, subtractRanges, type SeqRange, type SeqRangeRow } from '@vigil/stores';

/** What completeness needs of an API instance's last report (the Redis side; @vigil/queue's InstanceReport fits). */
export interface InstanceReportInput {
  readonly instance_id: string;
  /** The last seq the instance handed out. */
  readonly served: number;
  /** In its journal or spool, not yet acknowledged by Redis. */
  readonly backlog: number;
  readonly buffered: number;
  readonly in_flight: number;
  /** When the report was made, in ms since the epoch. */
  readonly at: number;
  /** Earlier values of served as [at, served], newest first. */
  readonly history: readonly (readonly [number, number])[];
}

/** One instance's records, by where they are. served = stored + dead_lettered + spooled + in_flight + missing. */
export interface InstanceCompleteness {
  readonly instance_id: string;
  /** Records the instance numbered (its last report, or the highest seq a store holds if that is higher). */
  readonly served: number;
  /** In the monitoring store. */
  readonly stored: number;
  /** Served less than the grace period ago (or still held in the API's memory) and not stored yet. */
  readonly in_flight: number;
  /** In the instance's journal or spool, waiting for Redis. */
  readonly spooled: number;
  /** Held back by the worker in the dead-letter queue (and not stored since). */
  readonly dead_lettered: number;
  /** Served more than the grace period ago and neither stored, dead-lettered nor spooled: lost, unless still queued. */
  readonly missing: number;
  /** ISO 8601 of the instance's last report; null when it has none (reports are kept a week). */
  readonly last_report_at: string | null;
  /** True while the instance reports (its last report is at most 10 s old). */
  readonly reporting: boolean;
}

export interface CompletenessTotals {
  /** Instances the store or Redis knows of, listed or not. */
  readonly instances: number;
  readonly served: number;
  readonly stored: number;
  readonly in_flight: number;
  readonly spooled: number;
  readonly dead_lettered: number;
  readonly missing: number;
}

export interface Completeness {
  readonly at: string;
  readonly grace_ms: number;
  readonly totals: CompletenessTotals;
  /**
   * Instances with a report (from the last week) or with records dead-lettered
   * or missing; older instances whose every record is stored count in the
   * totals only, so the answer stays small however many restarts there were.
   */
  readonly instances: readonly InstanceCompleteness[];
}

/** A report older than this says the instance stopped (killed, or its host gone). */
export const REPORTING_MS = 10_000;

/**
 * How far the instance had got by `cutoff` (ms since the epoch): the newest
 * value reported at or before it. The history is sparse, so this may be
 * lower than the truth (a gap is then reported later), never higher.
 */
export function servedBy(report: InstanceReportInput, cutoff: number): number {
  if (report.at <= cutoff) return report.served;
  for (const [at, served] of report.history) if (at <= cutoff) return served;
  return 0;
}

const EMPTY: readonly SeqRange[] = [];

function instanceCompleteness(
  instanceId: string,
  storedRanges: readonly SeqRange[],
  deadLetteredRanges: readonly SeqRange[],
  report: InstanceReportInput | undefined,
  now: number,
  graceMs: number,
): InstanceCompleteness {
  // A record dead-lettered and later replayed and stored counts once, as stored.
  const held = subtractRanges(deadLetteredRanges, storedRanges);
  const served = Math.max(report?.served ?? 0, maxSeq(storedRanges), maxSeq(held));
  const stored = countRanges(storedRanges);
  const deadLettered = countRanges(held);
  const cutoff = now - graceMs;
  // An instance whose last word is older than the grace has served everything it ever will (seqs past its
  // last report included, which a store may hold once another instance replayed its journal).
  const old = report === undefined || report.at <= cutoff ? served : Math.min(served, servedBy(report, cutoff));
  const unaccounted = old - countRanges(storedRanges, old) - countRanges(held, old);
  // What the instance still holds is not missing; once it has stopped reporting for a while, another
  // instance has adopted its journal, and that one's report counts the records it replays.
  const stillHolding = report !== undefined && now - report.at <= Math.max(graceMs, REPORTING_MS);
  const holding = stillHolding ? report.backlog + report.buffered + report.in_flight : 0;
  const missing = Math.max(0, unaccounted - holding);
  const remaining = served - stored - deadLettered - missing;
  const spooled = stillHolding ? Math.min(report.backlog, remaining) : 0;
  return {
    instance_id: instanceId,
    served,
    stored,
    in_flight: remaining - spooled,
    spooled,
    dead_lettered: deadLettered,
    missing,
    last_report_at: report === undefined ? null : new Date(report.at).toISOString(),
    reporting: report !== undefined && now - report.at <= REPORTING_MS,
  };
}

/**
 * Per API instance and in total: how many records it served, and how many
 * of them are stored, on their way, spooled, dead-lettered or missing,
 * from the store's sequence runs and the instances' last reports.
 * A sequence number is missing when the instance served it at least
 * `graceMs` ago and no store, dead letter or journal accounts for it.
 */
export function computeCompleteness(
  rows: readonly SeqRangeRow[],
  reports: readonly InstanceReportInput[],
  options: { readonly now: number; readonly graceMs: number },
): Completeness {
  const { now, graceMs } = options;
  const byInstance = new Map<string, { stored?: readonly SeqRange[]; dead_lettered?: readonly SeqRange[]; report?: InstanceReportInput }>();
  const entry = (id: string) => byInstance.get(id) ?? byInstance.set(id, {}).get(id)!;
  for (const row of rows) entry(row.instance_id)[row.kind] = row.ranges;
  for (const report of reports) entry(report.instance_id).report = report;

  const totals = { instances: 0, served: 0, stored: 0, in_flight: 0, spooled: 0, dead_lettered: 0, missing: 0 };
  const listed: InstanceCompleteness[] = [];
  for (const id of [...byInstance.keys()].sort()) {
    const { stored, dead_lettered, report } = byInstance.get(id)!;
    const instance = instanceCompleteness(id, stored ?? EMPTY, dead_lettered ?? EMPTY, report, now, graceMs);
    totals.instances += 1;
    totals.served += instance.served;
    totals.stored += instance.stored;
    totals.in_flight += instance.in_flight;
    totals.spooled += instance.spooled;
    totals.dead_lettered += instance.dead_lettered;
    totals.missing += instance.missing;
    if (report !== undefined || instance.missing > 0 || instance.dead_lettered > 0) listed.push(instance);
  }
  return { at: new Date(now).toISOString(), grace_ms: graceMs, totals, instances: listed };
}
