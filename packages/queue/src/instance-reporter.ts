import { formatInstanceReport, INSTANCE_REPORT_TTL_MS, parseInstanceReport, type InstanceReport } from './instance-reports';
import type { RedisConnection } from './redis-connection';

/** What the reporter reads of a prediction logger: the shape of its `progress()`. */
export interface InstanceProgress {
  readonly instanceId: string;
  /** The last seq handed out. */
  readonly served: number;
  /** In the journal or spool, not yet acknowledged by Redis. */
  readonly backlogRecords: number;
  readonly bufferedRecords: number;
  readonly inFlightRecords: number;
}

/** Options for {@link startInstanceReporter}. */
export interface InstanceReporterOptions {
  /** The API's client (enableOfflineQueue: false); not closed by the reporter. */
  readonly connection: RedisConnection;
  /** The hash every instance reports into: `queueNames(queue).instances`. */
  readonly key: string;
  readonly progress: () => InstanceProgress;
  /** @defaultValue 1000 */
  readonly intervalMs?: number;
  readonly now?: () => number;
}

export interface InstanceReporter {
  /** Publishes a report now (best effort: resolves false when Redis did not take it). */
  publish(): Promise<boolean>;
  /** Stops the timer and publishes a last report, so `served` is final once the logger has flushed. */
  stop(): Promise<void>;
}

/**
 * Ages (seconds) at which the report keeps an earlier `served`: a reader
 * asking "how far had it got `grace` ago" takes the youngest one at least
 * that old, so it may answer up to the next age late, never early.
 */
const HISTORY_AGES_S = [1, 2, 3, 5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300, 600, 900, 1200, 1800, 2700, 3600];
const HISTORY_MS = HISTORY_AGES_S[HISTORY_AGES_S.length - 1]! * 1000;
/** Every ten minutes, one instance's reporter deletes reports no instance refreshed for a week. */
const PRUNE_EVERY_MS = 600_000;
/**
 * ioredis has no command timeout: a Redis that accepts the connection but
 * does not answer would hold a report (and the API's shutdown, which waits
 * for the last one) for ever. A report that late is worthless anyway.
 */
const WRITE_TIMEOUT_MS = 2000;

function withinTimeout<T>(promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from Redis within ${WRITE_TIMEOUT_MS} ms`)), WRITE_TIMEOUT_MS);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/**
 * Publishes a prediction logger's progress to Redis every second, for
 * /monitoring/completeness. Best effort, and off the request path: while
 * Redis is away a report is skipped (never queued), and a publish still in
 * flight makes the next tick skip too.
 */
export function startInstanceReporter(options: InstanceReporterOptions): InstanceReporter {
  const { connection, key } = options;
  const now = options.now ?? Date.now;
  const startedAt = now();
  const instanceId = options.progress().instanceId;
  /** [at, served], oldest first, one per tick over the last hour. */
  const samples: [number, number][] = [[startedAt, options.progress().served]];
  let publishing: Promise<boolean> | undefined;
  let lastPrune = 0;

  function sample(at: number, served: number): void {
    samples.push([at, served]);
    while (samples.length > 2 && samples[1]![0] <= at - HISTORY_MS) samples.shift();
  }

  /** For each age, the youngest sample at least that old, then the oldest one; newest first, repeats dropped. */
  function history(at: number): [number, number][] {
    const picked: [number, number][] = [];
    let i = samples.length - 1;
    for (const age of HISTORY_AGES_S) {
      const cutoff = at - age * 1000;
      while (i >= 0 && samples[i]![0] > cutoff) i--;
      if (i < 0) break;
      if (picked[picked.length - 1] !== samples[i]) picked.push(samples[i]!);
    }
    // And the oldest sample kept (the start, or an hour ago), so a grace between two ages still finds one.
    if (samples.length > 1 && picked[picked.length - 1] !== samples[0]) picked.push(samples[0]!);
    return picked;
  }

  async function prune(at: number): Promise<void> {
    const fields = await connection.hgetall(key);
    const stale = Object.entries(fields)
      .filter(([id, text]) => id !== instanceId && at - (parseInstanceReport(id, text)?.at ?? 0) > INSTANCE_REPORT_TTL_MS)
      .map(([id]) => id);
    if (stale.length > 0) await connection.hdel(key, ...stale);
  }

  async function send(): Promise<boolean> {
    const at = now();
    const progress = options.progress();
    sample(at, progress.served);
    if (connection.status !== 'ready') return false;
    const report: InstanceReport = {
      instance_id: instanceId,
      served: progress.served,
      backlog: progress.backlogRecords,
      buffered: progress.bufferedRecords,
      in_flight: progress.inFlightRecords,
      at,
      started_at: startedAt,
      history: history(at),
    };
    try {
      // The hash expires a week after the last report of any instance; single stale fields are pruned below.
      await withinTimeout(connection.multi().hset(key, instanceId, formatInstanceReport(report)).pexpire(key, INSTANCE_REPORT_TTL_MS).exec());
      if (at - lastPrune >= PRUNE_EVERY_MS) {
        lastPrune = at;
        await withinTimeout(prune(at));
      }
      return true;
    } catch {
      return false; // Redis went away mid-write: the next tick tries again
    }
  }

  function publish(): Promise<boolean> {
    publishing ??= send().finally(() => (publishing = undefined));
    return publishing;
  }

  const timer = setInterval(() => void publish(), options.intervalMs ?? 1000);
  timer.unref();
  void publish();

  return {
    publish,
    async stop() {
      clearInterval(timer);
      await publishing;
      await publish();
    },
  };
}
