import { isIPv6 } from 'node:net';
import type { Request, RequestHandler } from 'express';
import type { RedisConnection } from '@vigil/queue';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, RLWrapperTimeouts, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { ApiError } from '../api-errors';

/** Where every replica's counts meet. */
export interface SharedRateLimitStore {
  /** The API's Redis client (with no offline queue, as start-api builds it). */
  readonly redis: RedisConnection;
  /** Prefix of the per-client keys: queueNames(QUEUE_NAME).rateLimitPrefix, so replicas of one deployment share them. */
  readonly keyPrefix: string;
}

/** Options for {@link rateLimit}. */
export interface RateLimitOptions {
  /** Requests one client may make per window (a minute); it may spend them in one burst. */
  readonly perMinute: number;
  /** Requests that are never limited (health probes). @defaultValue none */
  readonly skip?: (req: Request) => boolean;
  /**
   * Counts in Redis, shared by every replica; while Redis is not connected, or does not answer within
   * `redisTimeoutMs`, this process's own counts decide.
   * @defaultValue undefined: this process's counts alone (prediction logging off: no Redis client)
   */
  readonly shared?: SharedRateLimitStore | undefined;
  /** @defaultValue 100: a healthy Redis answers in well under a millisecond; a stalled one must not stall every request. */
  readonly redisTimeoutMs?: number;
  /** Length of the window in seconds. @defaultValue 60; tests shorten it to see a window end */
  readonly windowSeconds?: number;
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
 * rate-limiter-flexible's fixed window per client: the first request opens a
 * window of `windowSeconds`, and up to `perMinute` requests pass in it.
 *
 * Shared: RateLimiterRedis (one Lua script per request: INCR and the key's
 * TTL, atomic, timed by Redis's clock, so replicas agree), with this
 * process's RateLimiterMemory as its insurance: when Redis is not `ready`
 * (rejectIfRedisNotReady: the client has no offline queue, so a command could
 * not wait for a reconnect anyway), when a command fails, and when it takes
 * longer than `redisTimeoutMs` (RLWrapperTimeouts), the local window decides,
 * so during an outage N replicas allow up to N times the limit, and never
 * less than one. A client over the limit is then also refused from memory
 * until its window ends (inMemoryBlockOnConsumed), so a flood from one
 * client costs Redis nothing more.
 */
function limiter(options: RateLimitOptions): RateLimiterAbstract {
  const points = options.perMinute;
  const duration = options.windowSeconds ?? 60;
  const local = new RateLimiterMemory({ points, duration });
  if (options.shared === undefined) return local;
  const redis = new RateLimiterRedis({
    storeClient: options.shared.redis,
    keyPrefix: options.shared.keyPrefix,
    points,
    duration,
    rejectIfRedisNotReady: true,
    inMemoryBlockOnConsumed: points + 1,
  });
  // The insurance sits on the wrapper only: a command that fails after its timeout has already been
  // counted locally once, and is not counted again.
  return new RLWrapperTimeouts({ limiter: redis, timeoutMs: options.redisTimeoutMs ?? 100, insuranceLimiter: local });
}

/**
 * Per-client rate limit (see {@link limiter}): past it, 429 RATE_LIMITED
 * with `Retry-After`, the whole seconds until the client's window ends. The
 * client is `req.ip`: the connection's remote address, or what the proxies
 * that Express's `trust proxy` (TRUST_PROXY) trusts say in X-Forwarded-For.
 */
export function rateLimit(options: RateLimitOptions): RequestHandler {
  const { perMinute, skip } = options;
  if (!(Number.isInteger(perMinute) && perMinute >= 1)) throw new RangeError('rateLimit: perMinute must be an integer >= 1');
  const windowSeconds = options.windowSeconds ?? 60;
  if (!(Number.isInteger(windowSeconds) && windowSeconds >= 1)) throw new RangeError('rateLimit: windowSeconds must be an integer >= 1');
  const counts = limiter(options);
  return (req, res, next) => {
    if (skip?.(req) === true) return next();
    counts.consume(clientKey(req.ip ?? req.socket.remoteAddress)).then(
      () => next(),
      (refusal: unknown) => {
        // Not a refusal but a fault of the limiter itself (every store failure goes to the local one first):
        // serve the request rather than fail it; the limit is a guard, not part of the answer.
        if (!(refusal instanceof RateLimiterRes)) return next();
        const retryAfterS = Math.max(1, Math.ceil(refusal.msBeforeNext / 1000));
        res.setHeader('Retry-After', String(retryAfterS));
        next(
          new ApiError('RATE_LIMITED', `Too many requests: at most ${perMinute} a minute per client; retry in ${retryAfterS} s`, {
            limit_per_minute: perMinute,
            retry_after_s: retryAfterS,
          }),
        );
      },
    );
  };
}
