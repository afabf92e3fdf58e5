/**
 * REDIS_URL names one of three Redis topologies, each by its own scheme, so
 * one variable stays the single place an operator points Vigil at Redis:
 *
 * - `redis://[[user]:password@]host:port[/db]` (or `rediss://`): one server, as ioredis reads it;
 * - `redis-sentinel://[[user]:password@]host1:port1,host2:port2/<master-name>[?db=N&sentinelPassword=P]`:
 *   a Sentinel group; the sentinels (port 26379 by default) say which server is the master
 *   of `<master-name>`, and the password is the master's;
 * - `redis-cluster://[[user]:password@]host1:port1,host2:port2`: a Redis Cluster, by any of its
 *   nodes (port 6379 by default); the client learns the rest from them.
 *
 * A URL per topology rather than companion variables (REDIS_SENTINELS, …): a
 * topology is one setting, so it cannot be half-set, and every place that
 * shows or compares "which Redis" (the journal's destination, the CLI) keeps
 * reading one string.
 */
export interface RedisNodeAddress {
  readonly host: string;
  readonly port: number;
}

export type RedisTopology =
  | { readonly kind: 'server'; readonly url: string }
  | {
      readonly kind: 'sentinel';
      readonly sentinels: readonly RedisNodeAddress[];
      readonly masterName: string;
      readonly db: number;
      readonly username?: string;
      readonly password?: string;
      readonly sentinelPassword?: string;
    }
  | { readonly kind: 'cluster'; readonly nodes: readonly RedisNodeAddress[]; readonly username?: string; readonly password?: string };

const SERVER_PROTOCOLS = ['redis:', 'rediss:'];
const MULTI_NODE = /^(redis-sentinel|redis-cluster):\/\/(?:([^@/]*)@)?([^/?#]+)(\/[^?#]*)?(?:\?([^#]*))?$/;

function nodeAddress(text: string, defaultPort: number): RedisNodeAddress {
  const match = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(text);
  const port = match?.[2] === undefined ? defaultPort : Number(match[2]);
  if (match === null || port < 1 || port > 65535) throw new Error(`"${text}" is not a host:port`);
  return { host: match[1]!.replace(/^\[|\]$/g, ''), port };
}

function credentials(userInfo: string | undefined): { username?: string; password?: string } {
  if (userInfo === undefined || userInfo === '') return {};
  const colon = userInfo.indexOf(':');
  const username = decodeURIComponent(colon === -1 ? userInfo : userInfo.slice(0, colon));
  const password = colon === -1 ? undefined : decodeURIComponent(userInfo.slice(colon + 1));
  return { ...(username === '' ? {} : { username }), ...(password === undefined || password === '' ? {} : { password }) };
}

/** Which topology a REDIS_URL names; throws an Error that says what is wrong with it. */
export function parseRedisUrl(raw: string): RedisTopology {
  const multi = MULTI_NODE.exec(raw);
  if (multi === null) {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new Error('expected a URL starting with redis:, rediss:, redis-sentinel: or redis-cluster:');
    }
    if (!SERVER_PROTOCOLS.includes(url.protocol)) throw new Error('expected a URL starting with redis:, rediss:, redis-sentinel: or redis-cluster:');
    return { kind: 'server', url: raw };
  }
  const [, scheme, userInfo, hostList, path, query] = multi;
  const login = credentials(userInfo);
  const params = new URLSearchParams(query ?? '');
  if (scheme === 'redis-cluster') {
    if ((path ?? '/') !== '/') throw new Error('a redis-cluster: URL has no path (a Cluster has only db 0)');
    return { kind: 'cluster', nodes: hostList!.split(',').map((node) => nodeAddress(node, 6379)), ...login };
  }
  const masterName = decodeURIComponent((path ?? '').replace(/^\//, ''));
  if (masterName === '' || masterName.includes('/')) throw new Error('a redis-sentinel: URL ends with /<master-name>, the name the sentinels monitor');
  const db = Number(params.get('db') ?? '0');
  if (!Number.isInteger(db) || db < 0) throw new Error('db must be a whole number from 0');
  const sentinelPassword = params.get('sentinelPassword') ?? undefined;
  return {
    kind: 'sentinel',
    sentinels: hostList!.split(',').map((node) => nodeAddress(node, 26379)),
    masterName,
    db,
    ...login,
    ...(sentinelPassword === undefined ? {} : { sentinelPassword }),
  };
}

/**
 * Which Redis a URL names, without credentials: `host:port/db` for one
 * server (as journals on disk have always recorded it), `sentinel:<master>/db`
 * for a Sentinel group (the sentinels may change, the master's name does not),
 * `cluster:` and the sorted seed nodes for a Cluster.
 */
export function redisTopologyAddress(topology: Exclude<RedisTopology, { kind: 'server' }>): string {
  const node = (address: RedisNodeAddress) => `${address.host.includes(':') ? `[${address.host}]` : address.host}:${address.port}`.toLowerCase();
  if (topology.kind === 'sentinel') return `sentinel:${topology.masterName}/${topology.db}`;
  return `cluster:${topology.nodes.map(node).sort().join(',')}`;
}
