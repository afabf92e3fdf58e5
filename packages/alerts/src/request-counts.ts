import { sameSlotPrefix, type RedisConnection } from '@vigil/queue';

/** Minutes of request counts kept in Redis: enough for any alert window. */
const KEEP_SECONDS = 2 * 86_400;

/** One minute's hash. Several minutes go in one MULTI or pipeline, so on a Cluster the prefix is a hash tag (one slot). */
function key(redis: RedisConnection, prefix: string, minute: number): string {
  return `${sameSlotPrefix(redis, prefix)}:requests:${minute}`;
}

/**
 * Counts API answers per minute in memory and adds them to a Redis hash per
 * minute every few seconds, so error-rate alerts see every replica's traffic
 * without a Redis call on the request path. Counts lost while Redis is down
 * only blur an error rate; no prediction record depends on them.
 */
export class RequestCounter {
  private pending = new Map<number, { total: number; errors: number }>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly redis: RedisConnection,
    private readonly prefix: string,
    flushMs = 5000,
  ) {
    this.timer = setInterval(() => void this.flush(), flushMs);
    this.timer.unref();
  }

  record(status: number): void {
    const minute = Math.floor(Date.now() / 60_000);
    const counts = this.pending.get(minute) ?? { total: 0, errors: 0 };
    counts.total += 1;
    if (status >= 500) counts.errors += 1;
    this.pending.set(minute, counts);
  }

  async flush(): Promise<void> {
    if (this.pending.size === 0 || this.redis.status !== 'ready') return;
    const batch = this.pending;
    this.pending = new Map();
    const pipeline = this.redis.multi();
    for (const [minute, counts] of batch) {
      pipeline.hincrby(key(this.redis, this.prefix, minute), 'total', counts.total);
      pipeline.hincrby(key(this.redis, this.prefix, minute), 'errors', counts.errors);
      pipeline.expire(key(this.redis, this.prefix, minute), KEEP_SECONDS);
    }
    await pipeline.exec().catch(() => undefined);
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}

/** Sums the per-minute counts of the last `windowMs` (whole minutes, like the monitoring windows). */
export async function readRequestCounts(
  redis: RedisConnection,
  prefix: string,
  windowMs: number,
  now = Date.now(),
): Promise<{ total: number; errors: number }> {
  const last = Math.floor(now / 60_000);
  const first = Math.floor((now - windowMs) / 60_000);
  const pipeline = redis.pipeline();
  for (let minute = first; minute <= last; minute++) pipeline.hmget(key(redis, prefix, minute), 'total', 'errors');
  const results = (await pipeline.exec()) ?? [];
  let total = 0;
  let errors = 0;
  for (const [error, value] of results) {
    if (error) throw error;
    const [t, e] = value as [string | null, string | null];
    total += Number(t ?? 0);
    errors += Number(e ?? 0);
  }
  return { total, errors };
}
