import { QueueError } from './errors';
import type { RedisConnection } from './redis-connection';

/**
 * What one API instance last said about its prediction logger, kept in the
 * Redis hash `queueNames(queue).instances` (field: the instance id) as JSON.
 * The worker knows what it stored; only the instance knows what it served
 * and what it still holds, so completeness needs both.
 */
export interface InstanceReport {
  readonly instance_id: string;
  /** The last seq the instance handed out: every record it logged is numbered 1..served. */
  readonly served: number;
  /** Records in its journal or spool that Redis has not acknowledged yet. */
  readonly backlog: number;
  /** Records in its in-memory batcher. */
  readonly buffered: number;
  /** Records of batches being added to Redis right now. */
  readonly in_flight: number;
  /** When the report was made, in ms since the epoch. */
  readonly at: number;
  /** When the reporter started, in ms since the epoch (served was known from then on). */
  readonly started_at: number;
  /**
   * Earlier values of `served` as `[at, served]`, newest first, at ages of
   * about 1 s to 1 h: how far the instance had got a grace period ago.
   */
  readonly history: readonly (readonly [number, number])[];
}

/** Reports untouched this long are deleted (a replaced instance's last word is kept a week). */
export const INSTANCE_REPORT_TTL_MS = 7 * 86_400_000;

const count = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

/** A stored report, checked; undefined for anything else (a report is advice: a bad one is skipped, not fatal). */
export function parseInstanceReport(instanceId: string, text: string): InstanceReport | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const r = value as Record<string, unknown>;
  if (![r.served, r.backlog, r.buffered, r.in_flight, r.at, r.started_at].every(count)) return undefined;
  const history = Array.isArray(r.history) ? r.history : [];
  const pairs = history.filter((pair: unknown): pair is [number, number] => Array.isArray(pair) && pair.length === 2 && count(pair[0]) && count(pair[1]));
  return {
    instance_id: instanceId,
    served: r.served as number,
    backlog: r.backlog as number,
    buffered: r.buffered as number,
    in_flight: r.in_flight as number,
    at: r.at as number,
    started_at: r.started_at as number,
    history: pairs,
  };
}

/** The stored form of a report: the hash field is the instance id, so it is not repeated. */
export function formatInstanceReport(report: InstanceReport): string {
  const { served, backlog, buffered, in_flight, at, started_at, history } = report;
  return JSON.stringify({ served, backlog, buffered, in_flight, at, started_at, history });
}

/**
 * Every instance's last report. Throws QueueError NOT_READY while Redis is
 * not connected: without the reports nobody can say what was served.
 */
export async function readInstanceReports(connection: RedisConnection, key: string, now = Date.now()): Promise<InstanceReport[]> {
  if (connection.status !== 'ready') throw new QueueError('NOT_READY', "Redis is not connected: the API instances' reports cannot be read", {});
  const fields = await connection.hgetall(key);
  const reports: InstanceReport[] = [];
  for (const [instanceId, text] of Object.entries(fields)) {
    const report = parseInstanceReport(instanceId, text);
    if (report !== undefined && now - report.at <= INSTANCE_REPORT_TTL_MS) reports.push(report);
  }
  return reports.sort((a, b) => (a.instance_id < b.instance_id ? -1 : a.instance_id > b.instance_id ? 1 : 0));
}
