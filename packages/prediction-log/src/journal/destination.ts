import { connectionAddress, multiNodeAddress, type RedisConnection } from '@vigil/queue';

/**
 * Where a journal's records were going: the queue and the Redis that holds
 * it. A journal left on a shared volume is replayed only by a logger with the
 * same destination, so records never land in another deployment's queue.
 */
export interface JournalDestination {
  readonly queue: string;
  /** `host:port/db`, without credentials (they do not name the server, and must not reach the disk). */
  readonly redis: string;
  /**
   * Which records: absent for predictions (so their owner.json is as it always was), `labels` for labels.
   * A journal is adopted only by a logger of the same stream.
   */
  readonly stream?: string;
}

/** The `host:port/db` of a Redis, the form {@link JournalDestination.redis} compares. */
export function redisAddress(host: string, port: number, db: number): string {
  // IPv6 literals keep their brackets, so the port stays unambiguous.
  const shown = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return `${shown.toLowerCase()}:${port}/${db}`;
}

/**
 * The `host:port/db` of a redis:// or rediss:// URL (REDIS_URL), without user or password;
 * a Sentinel group's or a Cluster's own name (`sentinel:<master>/db`, `cluster:<nodes>`) for those URLs.
 */
export function redisUrlAddress(url: string): string {
  const multiNode = multiNodeAddress(url);
  if (multiNode !== undefined) return multiNode;
  const parsed = new URL(url);
  const db = Number(parsed.pathname.replace(/^\//, '') || '0');
  return redisAddress(parsed.hostname, parsed.port === '' ? 6379 : Number(parsed.port), Number.isInteger(db) ? db : 0);
}

/** {@link JournalDestination.redis} of a connection: `host:port/db` for one server, as {@link redisUrlAddress} names the others. */
export function connectionRedisAddress(connection: RedisConnection): string {
  return connectionAddress(connection, redisAddress);
}

export function sameDestination(a: JournalDestination, b: JournalDestination): boolean {
  return a.queue === b.queue && a.redis === b.redis && (a.stream ?? 'predictions') === (b.stream ?? 'predictions');
}
