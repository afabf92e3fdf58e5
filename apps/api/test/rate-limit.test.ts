import { expect } from 'chai';
import { Redis } from 'ioredis';
import { freePort } from '../../../test/support/private-redis';
import { clientKey, rateLimit, type RateLimitOptions } from '../src/security/rate-limit';
import { useTestApps, type ErrorBody } from './support/test-app';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('rateLimit', function () {
  const apps = useTestApps();

  /** A limit in front of `/echo`; `/healthz` is a probe, as in createApp. */
  async function limited(options: Omit<RateLimitOptions, 'skip'>) {
    return apps.middleware([rateLimit({ ...options, skip: (req) => req.path === '/healthz' })], (router) => {
      router.get('/echo', (_req, res) => void res.json({ ok: true }));
      router.get('/healthz', (_req, res) => void res.json({ status: 'ok' }));
    });
  }

  it('lets a client spend its whole minute in a burst, then answers 429 RATE_LIMITED with Retry-After: the seconds left in its minute', async function () {
    const app = await limited({ perMinute: 3 });
    for (let i = 0; i < 3; i++) expect((await app.request('GET', '/echo')).status, `request ${i + 1}`).to.equal(200);
    const refused = await app.request<ErrorBody>('GET', '/echo');
    expect(refused.status).to.equal(429);
    expect(refused.contentType).to.match(/^application\/json/);
    // The window opened with the first request, a few milliseconds ago: 60 s, rounded up, remain.
    expect(refused.headers.get('retry-after')).to.equal('60');
    expect(refused.body.error.code).to.equal('RATE_LIMITED');
    expect(refused.body.error.details).to.deep.equal({ limit_per_minute: 3, retry_after_s: 60 });
  });

  it('gives the client its budget back when its window ends, and not before', async function () {
    this.timeout(10_000);
    const app = await limited({ perMinute: 2, windowSeconds: 1 });
    expect((await app.request('GET', '/echo')).status).to.equal(200);
    expect((await app.request('GET', '/echo')).status).to.equal(200);
    const early = await app.request('GET', '/echo');
    expect(early.status).to.equal(429);
    expect(early.headers.get('retry-after')).to.equal('1');
    await sleep(1100);
    expect((await app.request('GET', '/echo')).status).to.equal(200);
    expect((await app.request('GET', '/echo')).status).to.equal(200);
    expect((await app.request('GET', '/echo')).status).to.equal(429);
  });

  it("never limits the probes, and they spend nothing of the client's requests", async function () {
    const app = await limited({ perMinute: 2 });
    for (let i = 0; i < 10; i++) expect((await app.request('GET', '/healthz')).status).to.equal(200);
    expect((await app.request('GET', '/echo')).status).to.equal(200);
    expect((await app.request('GET', '/echo')).status).to.equal(200);
    expect((await app.request('GET', '/echo')).status).to.equal(429);
    expect((await app.request('GET', '/healthz')).status).to.equal(200);
  });

  it('with Redis unreachable, counts in this process: the local window still limits, and no request waits for Redis', async function () {
    // Nothing listens on this port: the client never becomes ready (and has no offline queue, as start-api builds it).
    const redis = new Redis({ host: '127.0.0.1', port: await freePort(), enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy: () => 50 });
    redis.on('error', () => undefined);
    try {
      const app = await limited({ perMinute: 3, shared: { redis, keyPrefix: 'unreachable' } });
      const started = performance.now();
      for (let i = 0; i < 3; i++) expect((await app.request('GET', '/echo')).status, `request ${i + 1}`).to.equal(200);
      const refused = await app.request<ErrorBody>('GET', '/echo');
      expect(refused.status).to.equal(429);
      expect(refused.body.error.details).to.deep.equal({ limit_per_minute: 3, retry_after_s: 60 });
      // Four requests, none of them held for the 100 ms Redis timeout.
      expect(performance.now() - started).to.be.below(350);
      expect(redis.status).to.not.equal('ready');
    } finally {
      redis.disconnect();
    }
  });

  it('refuses to be built with a limit or a window that is not a whole number of at least 1', function () {
    for (const perMinute of [0, -1, 1.5, Number.NaN]) expect(() => rateLimit({ perMinute }), String(perMinute)).to.throw(RangeError);
    expect(() => rateLimit({ perMinute: 1, windowSeconds: 0 })).to.throw(RangeError);
  });
});

describe('clientKey (what the rate limit counts by)', function () {
  it('counts IPv6 clients per /64 and IPv4-mapped addresses as IPv4', function () {
    expect(clientKey('2001:db8:1:2:3:4:5:6')).to.equal('2001:db8:1:2::/64');
    expect(clientKey('2001:db8:1:2::99')).to.equal('2001:db8:1:2::/64');
    expect(clientKey('2001:db8::1')).to.equal('2001:db8:0:0::/64');
    expect(clientKey('::ffff:10.1.2.3')).to.equal('10.1.2.3');
    expect(clientKey('10.1.2.3')).to.equal('10.1.2.3');
    expect(clientKey(undefined)).to.equal('unknown');
  });
});
