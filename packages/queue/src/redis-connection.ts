import { parseRedisUrl, redisTopologyAddress } from '@vigil/config';
import { Cluster, Redis, type RedisOptions } from 'ioredis';

/** A client of one server or a Sentinel group (Redis) or of a Redis Cluster (Cluster): what every Vigil Redis user takes. */
export type RedisConnection = Redis | Cluster;

/** What `createRedisConnection` was given, kept so "which Redis" can be told from a connection (a journal's destination). */
const addresses = new WeakMap<RedisConnection, string>();

/**
 * The one place a Redis client is built from REDIS_URL (see @vigil/config's
 * redis-url.ts for the forms). `options` are the caller's as for one server
 * (maxRetriesPerRequest null for BullMQ workers, enableOfflineQueue false in
 * the API, …); on a Cluster they become every node's options, and the
 * offline queue, lazy connect and retry strategy are also set on the Cluster
 * itself, which has its own.
 */
export function createRedisConnection(url: string, options: RedisOptions = {}): RedisConnection {
  const topology = parseRedisUrl(url);
  if (topology.kind === 'server') return new Redis(url, options);
  const { username, password } = topology;
  const login = { ...(username === undefined ? {} : { username }), ...(password === undefined ? {} : { password }) };
  let connection: RedisConnection;
  if (topology.kind === 'sentinel') {
    connection = new Redis({
      ...options,
      ...login,
      sentinels: topology.sentinels.map((node) => ({ ...node })),
      name: topology.masterName,
      db: topology.db,
      ...(topology.sentinelPassword === undefined ? {} : { sentinelPassword: topology.sentinelPassword }),
    });
  } else {
    const retry = options.retryStrategy;
    connection = new Cluster(
      topology.nodes.map((node) => ({ ...node })),
      {
        redisOptions: { ...options, ...login },
        enableOfflineQueue: options.enableOfflineQueue ?? true,
        lazyConnect: options.lazyConnect ?? false,
        // Without a strategy a Cluster whose every node refused gives up; a single-server client retries without end.
        clusterRetryStrategy: retry === undefined || retry === null ? (times) => Math.min(100 + times * 2, 2000) : (times) => retry(times),
      },
    );
  }
  addresses.set(connection, redisTopologyAddress(topology));
  return connection;
}

/** Which Sentinel group or Cluster a REDIS_URL names, without credentials (see redisTopologyAddress); undefined for one server. */
export function multiNodeAddress(url: string): string | undefined {
  const topology = parseRedisUrl(url);
  return topology.kind === 'server' ? undefined : redisTopologyAddress(topology);
}

/** The options every node connection of `connection` uses (a Cluster keeps them in redisOptions). */
export function nodeOptions(connection: RedisConnection): RedisOptions {
  return connection instanceof Cluster ? (connection.options.redisOptions ?? {}) : connection.options;
}

/** Whether commands sent while `connection` is down wait (true) or fail at once (false, the API's choice). */
export function keepsOfflineQueue(connection: RedisConnection): boolean {
  return connection instanceof Cluster ? connection.options.enableOfflineQueue !== false : connection.options.enableOfflineQueue !== false;
}

/**
 * Which Redis `connection` talks to, without credentials: `host:port/db` for
 * one server (as journals have always recorded it), `sentinel:<master>/db`,
 * or `cluster:<seed nodes>` (see redisTopologyAddress).
 */
export function connectionAddress(connection: RedisConnection, serverAddress: (host: string, port: number, db: number) => string): string {
  const known = addresses.get(connection);
  if (known !== undefined) return known;
  if (connection instanceof Cluster) return 'cluster:';
  const { host, port, db, sentinels, name } = connection.options;
  if (sentinels !== null && sentinels !== undefined && sentinels.length > 0 && name !== undefined) return `sentinel:${name}/${db ?? 0}`;
  return serverAddress(host ?? 'localhost', port ?? 6379, db ?? 0);
}

/**
 * The BullMQ key prefix of queue `queueName` on `connection`. One server:
 * BullMQ's default (`bull`), so keys are as they always were. A Cluster: the
 * queue's name as a hash tag (`bull:{<queue>}`), so every key of one queue
 * lands in one slot, as BullMQ's Lua scripts need, while different queues
 * (the log queue's shards among them) spread over the masters.
 */
export function bullPrefix(connection: RedisConnection, queueName: string): string | undefined {
  return connection instanceof Cluster ? `bull:{${queueName}}` : undefined;
}

/** The `{ connection, prefix }` a BullMQ Queue or Worker of `queueName` takes. */
export function bullConnection(connection: RedisConnection, queueName: string): { connection: RedisConnection; prefix?: string } {
  const prefix = bullPrefix(connection, queueName);
  return prefix === undefined ? { connection } : { connection, prefix };
}

/**
 * A prefix of keys Vigil itself writes several of in one MULTI or pipeline
 * (request counts): on a Cluster wrapped as a hash tag so they share a slot,
 * on one server unchanged.
 */
export function sameSlotPrefix(connection: RedisConnection, prefix: string): string {
  return connection instanceof Cluster ? `{${prefix}}` : prefix;
}
