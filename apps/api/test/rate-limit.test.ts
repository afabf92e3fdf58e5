import { expect } from 'chai';
import { rateLimit } from '../src/security/rate-limit';
import { useTestApps, type ErrorBody } from './support/test-app';

describe('rateLimit', function () {
  const apps = useTestApps();

  /** A limit on a clock the test moves (ms); `/healthz` is a probe, as in createApp. */
  async function limited(perMinute: number) {
    let now = 1_000_000;
    const app = await apps.middleware([rateLimit({ perMinute, now: () => now, skip: (req) => req.path === '/healthz' })], (router) => {
      router.get('/echo', (_req, res) => void res.json({ ok: true }));
      router.get('/healthz', (_req, res) => void res.json({ status: 'ok' }));
    });
    return { app, advance: (ms: number) => (now += ms) };
  }

  it('lets a client spend its whole minute in a burst, then answers 429 RATE_LIMITED with Retry-After in whole seconds', async function () {
    const { app } = await limited(3);
    for (let i = 0; i < 3; i++) expect((await app.request('GET', '/echo')).status, `request ${i + 1}`).to.equal(200);
    const refused = await app.request<ErrorBody>('GET', '/echo');
    expect(refused.status).to.equal(429);
    expect(refused.contentType).to.match(/^application\/json/);
    // 3 a minute: one token back every 20 s.
    expect(refused.headers.get('retry-after')).to.equal('20');
    expect(refused.body.error.code).to.equal('RATE_LIMITED');
    expect(refused.body.error.details).to.deep.equal({ limit_per_minute: 3, retry_after_s: 20 });
  });

  it('gives a token back at the configured rate: after Retry-After one more request passes, not two', async function () {
    const { app, advance } = await limited(3);
    for (let i = 0; i < 3; i++) await app.request('GET', '/echo');
    advance(10_000);
    const early = await app.request('GET', '/echo');
    expect(early.status).to.equal(429);
    expect(early.headers.get('retry-after')).to.equal('10');
    advance(10_000);
    expect((await app.request('GET', '/echo')).status).to.equal(200);
    expect((await app.request('GET', '/echo')).status).to.equal(429);
  });

  it('rounds the wait up to whole seconds: half a second is 1, 9.5 s is 10', async function () {
    const fast = await limited(120); // a token every 500 ms
    for (let i = 0; i < 120; i++) expect((await fast.app.request('GET', '/echo')).status).to.equal(200);
    expect((await fast.app.request('GET', '/echo')).headers.get('retry-after')).to.equal('1');
    const slow = await limited(3);
    for (let i = 0; i < 3; i++) await slow.app.request('GET', '/echo');
    slow.advance(10_500);
    expect((await slow.app.request('GET', '/echo')).headers.get('retry-after')).to.equal('10');
  });

  it("never limits the probes, and they spend nothing of the client's requests", async function () {
    const { app } = await limited(2);
    for (let i = 0; i < 10; i++) expect((await app.request('GET', '/healthz')).status).to.equal(200);
    expect((await app.request('GET', '/echo')).status).to.equal(200);
    expect((await app.request('GET', '/echo')).status).to.equal(200);
    expect((await app.request('GET', '/echo')).status).to.equal(429);
    expect((await app.request('GET', '/healthz')).status).to.equal(200);
  });
});
