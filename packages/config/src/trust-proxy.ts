import { isIP } from 'node:net';

/**
 * Which proxies in front of the API may say who the client is, in the form
 * Express's `trust proxy` setting takes: `false` (the TCP peer is the client),
 * a number of hops, or the proxies' addresses and subnets.
 */
export type TrustProxy = false | number | readonly string[];

/** proxy-addr's names for the usual private ranges. */
const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

function addressOrSubnet(entry: string): boolean {
  if (NAMED_RANGES.has(entry)) return true;
  const slash = entry.indexOf('/');
  const address = slash < 0 ? entry : entry.slice(0, slash);
  const family = isIP(address);
  if (family === 0) return false;
  if (slash < 0) return true;
  const prefix = entry.slice(slash + 1);
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

/**
 * Parses TRUST_PROXY: `false` (or `off`, `0`), a hop count from 1 to 100, or
 * a comma-separated list of addresses, CIDR subnets and the names
 * `loopback`, `linklocal`, `uniquelocal`. `true` is refused: it would take
 * the leftmost X-Forwarded-For address, which any client writes itself, so
 * every request could claim a fresh address and never be rate limited.
 */
export function trustProxy(raw: string): TrustProxy {
  const value = raw.trim().toLowerCase();
  if (['false', 'off', 'no', '0'].includes(value)) return false;
  if (['true', 'on', 'yes', '*'].includes(value)) {
    throw new Error('trusting every hop lets any client choose its own address with X-Forwarded-For; give the number of proxies or their addresses');
  }
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    if (hops > 100) throw new Error('expected a hop count from 1 to 100');
    return hops;
  }
  const entries = value.split(',').map((entry) => entry.trim());
  const bad = entries.filter((entry) => !addressOrSubnet(entry));
  if (bad.length > 0) {
    const shown = bad.map((entry) => JSON.stringify(entry.slice(0, 64))).join(', ');
    throw new Error(`expected false, a hop count, or comma-separated IP addresses, CIDR subnets, loopback, linklocal, uniquelocal (not ${shown})`);
  }
  return Object.freeze([...new Set(entries)]);
}
