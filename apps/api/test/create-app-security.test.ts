import { expect } from 'chai';
import { fixtureFeatures } from '../../../test/support/fixtures/prediction-records';
import type { SecurityOptions } from '../src/security/security-options';
import { useTestApps, type ErrorBody, type TestApp } from './support/test-app';

const READ_KEY = 'monitoring-key-0123456789abcdef';
const ADMIN_KEY = 'admin-key-0123456789abcdef';
const PREDICT_KEY = 'predict-key-0123456789abcdef';
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

// The API's real createApp, in-process and without Redis (prediction logging off): the queue
// endpoints answer 503 NOT_READY, which shows a request got past the keys to its route.
describe('createApp: the read key, the admin key and TRUST_PROXY as wired', function () {
  const apps = useTestApps();

  it('opens /monitoring and the /admin reads to the read key, and the dead-letter replay only to the admin key', async function () {
    const app = await apps.api({ security: { monitoringApiKey: READ_KEY, adminApiKey: ADMIN_KEY, predictApiKey: PREDICT_KEY } });
    for (const key of [READ_KEY, ADMIN_KEY]) {
      expect((await app.request('GET', '/monitoring/latency', undefined, bearer(key))).status).to.equal(200);
      const list = await app.request<ErrorBody>('GET', '/admin/dead-letters', undefined, bearer(key));
      expect(list.status).to.equal(503);
      expect(list.body.error.code).to.equal('NOT_READY');
    }
    const replay = '/admin/dead-letters/some-id/replay';
    const refused = await app.request<ErrorBody>('POST', replay, undefined, bearer(READ_KEY));
    expect(refused.status).to.equal(401);
    expect(refused.body.error.details).to.deep.equal({ where: 'headers.authorization', realm: 'admin', reason: 'read_only_key' });
    expect(refused.headers.get('www-authenticate')).to.equal('Bearer realm="admin", error="insufficient_scope"');
    for (const headers of [{}, bearer(PREDICT_KEY)]) {
      const answer = await app.request<ErrorBody>('POST', replay, undefined, headers);
      expect(answer.status).to.equal(401);
    }
    const allowed = await app.request<ErrorBody>('POST', replay, undefined, bearer(ADMIN_KEY));
    expect(allowed.status).to.equal(503);
    expect(allowed.body.error.code).to.equal('NOT_READY');
    // Keys are per area: neither monitoring key opens /predict.
    for (const key of [READ_KEY, ADMIN_KEY])
      expect((await app.request('POST', '/predict', { features: fixtureFeatures(1) }, bearer(key))).status).to.equal(401);
    expect((await app.request('POST', '/predict', { features: fixtureFeatures(1) }, bearer(PREDICT_KEY))).status).to.equal(200);
  });

  it('without ADMIN_API_KEY, lets the monitoring key replay, as before the split', async function () {
    const app = await apps.api({ security: { monitoringApiKey: READ_KEY } });
    const answer = await app.request<ErrorBody>('POST', '/admin/dead-letters/some-id/replay', undefined, bearer(READ_KEY));
    expect(answer.status).to.equal(503);
    expect((await app.request('POST', '/admin/dead-letters/some-id/replay')).status).to.equal(401);
  });

  describe('TRUST_PROXY decides who the client is', function () {
    const forwarded = (address: string) => ({ 'x-forwarded-for': address });
    const limitedApp = (security: SecurityOptions) => apps.api({ security: { rateLimitPerMinute: 2, ...security } });
    const statuses = async (app: TestApp, headers: Record<string, string>[]) => {
      const seen: number[] = [];
      for (const header of headers) seen.push((await app.request('GET', '/model', undefined, header)).status);
      return seen;
    };

    it('ignores X-Forwarded-For by default: every address it names counts against the TCP peer', async function () {
      for (const security of [{}, { trustProxy: false } as const, { trustProxy: ['10.0.0.0/8'] }]) {
        const app = await limitedApp(security);
        const seen = await statuses(app, [forwarded('203.0.113.1'), forwarded('203.0.113.2'), forwarded('203.0.113.3')]);
        expect(seen, JSON.stringify(security)).to.deep.equal([200, 200, 429]);
      }
    });

    it('with a hop count or the proxy addresses, counts each forwarded client on its own', async function () {
      for (const trustProxy of [1, ['loopback'], ['127.0.0.0/8', '::1']]) {
        const app = await limitedApp({ trustProxy });
        const what = JSON.stringify(trustProxy);
        expect(await statuses(app, [forwarded('203.0.113.1'), forwarded('203.0.113.1'), forwarded('203.0.113.1')]), what).to.deep.equal([200, 200, 429]);
        // Another client behind the same proxy has its own budget, and so does the proxy itself.
        expect(await statuses(app, [forwarded('203.0.113.2'), {}]), what).to.deep.equal([200, 200]);
        const limited = await app.request<ErrorBody>('GET', '/model', undefined, forwarded('203.0.113.1'));
        expect(limited.status, what).to.equal(429);
        expect(limited.body.error.code).to.equal('RATE_LIMITED');
      }
    });

    it('with one trusted hop, a client cannot dodge its limit by writing addresses of its own into the header', async function () {
      const app = await limitedApp({ trustProxy: 1 });
      // The proxy appends the address it saw; whatever the client wrote stands to the left of it.
      const seen = await statuses(app, [
        forwarded('198.51.100.1, 203.0.113.9'),
        forwarded('198.51.100.2, 203.0.113.9'),
        forwarded('198.51.100.3, 203.0.113.9'),
      ]);
      expect(seen).to.deep.equal([200, 200, 429]);
    });
  });
});
