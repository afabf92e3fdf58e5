import { isIPv6 } from 'node:net';
import type { Request, RequestHandler } from 'express';
import { ApiError } from '../api-errors';
import { TokenBuckets } from './token-buckets';

/** Options for {@link rateLimit}. */
export interface RateLimitOptions {
  /** Requests a minute one client may make; it may spend them in one burst. */
  readonly perMinute: number;
  /** Requests that are never limited (health probes). @defaultValue none */
  readonly skip?: (req: Request) => boolean;
  /** Monotonic clock in ms. @defaultValue performance.now */
  readonly now?: () => number;
}

/**
 * The client a request is counted against: its IPv4 address, or the /64 of an
 * IPv6 one, since one host usually holds a whole /64 and could otherwise
 * rotate addresses to dodge the limit.
 */
export function clientKey(address: string | undefined): string {
  if (address === undefined || address === '') return 'unknown';
  const plain = address.replace(/%.*$/, '').toLowerCase();
  if (plain.startsWith('::ffff:') && plain.includes('.')) return plain.slice(7);
  if (!isIPv6(plain)) return plain;
  const [head = '', tail] = plain.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = [...headGroups, ...Array<string>(Math.max(0, 8 - headGroups.length - tailGroups.length)).fill('0'), ...tailGroups];
  return `${groups
    .slice(0, 4)
    .map((group) => group.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

/**
 * Per-client rate limit over {@link TokenBuckets}: past it, 429 RATE_LIMITED
 * with `Retry-After` in whole seconds. The client is `req.ip`: the
 * connection's remote address unless the app sets Express's `trust proxy`;
 * behind a reverse proxy without it, every client shares the proxy's address.
 */
export function rateLimit(options: RateLimitOptions): RequestHandler {
  const buckets = new TokenBuckets({ perMinute: options.perMinute });
  const now = options.now ?? (() => performance.now());
  const { skip } = options;
  return (req, res, next) => {
    if (skip?.(req) === true) {
      next();
      return;
    }
    const result = buckets.take(clientKey(req.ip ?? req.socket.remoteAddress), now());
    if (result.allowed) {
      next();
      return;
    }
    const retryAfterS = Math.max(1, Math.ceil(result.retryAfterMs / 1000));
    res.setHeader('Retry-After', String(retryAfterS));
    next(
      new ApiError('RATE_LIMITED', `Too many requests: at most ${options.perMinute} a minute per client; retry in ${retryAfterS} s`, {
        limit_per_minute: options.perMinute,
        retry_after_s: retryAfterS,
      }),
    );
  };
}
