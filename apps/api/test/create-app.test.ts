import { expect } from 'chai';
import { fixtureFeatures } from '../../../test/support/fixtures/prediction-records';
import { Readiness } from '../src/readiness';
import type { LoggerHealth } from '@vigil/prediction-log';
import { loggerChecks, modelLoaded } from '../src/readiness-checks';
import { useTestApps, type ErrorBody } from './support/test-app';

const MONITORING_KEY = 'monitoring-key-0123456789abcdef';
const PREDICT_KEY = 'predict-key-0123456789abcdef';

function expectError(answer: { status: number; contentType: string | null; body: unknown }, status: number, code: string, what = code): ErrorBody['error'] {
  expect(answer.status, what).to.equal(status);
  expect(answer.contentType, what).to.match(/^application\/json/);
  const { error } = answer.body as ErrorBody;
  expect(error.code, what).to.equal(code);
  expect(error.message, what).to.be.a('string').and.not.equal('');
  expect(error.details, what).to.be.an('object');
  return error;
}

// The API's real createApp with its real middleware, in-process and without Redis or Postgres:
// no prediction logger (PREDICTION_LOGGING=off), monitoring over an empty SQLite file.
describe('createApp: the middleware chain as wired', function () {
  const apps = useTestApps();

  it('scores a valid instance with prediction logging off', async function () {
    const app = await apps.api();
    const answer = await app.request<{ prediction: number; probability: number; prediction_id: string }>('POST', '/predict', { features: fixtureFeatures(1) });
    expect(answer.status).to.equal(200);
    expect(answer.body.prediction).to.be.oneOf([0, 1]);
    expect(answer.body.probability).to.be.within(0, 1);
  });

  it('answers OPTIONS 405 METHOD_NOT_ALLOWED and an unknown path 404 NOT_FOUND, in JSON with the security headers', async function () {
    const app = await apps.api();
    for (const path of ['/predict', '/monitoring/latency', '/nowhere']) {
      const answer = await app.request('OPTIONS', path);
      expect(expectError(answer, 405, 'METHOD_NOT_ALLOWED', path).details).to.deep.equal({ method: 'OPTIONS' });
      expect(answer.headers.get('x-content-type-options'), path).to.equal('nosniff');
      expect(answer.headers.get('allow'), path).to.equal(null); // Express's own OPTIONS answer never ran
    }
    const missing = await app.request('GET', '/nowhere');
    expect(expectError(missing, 404, 'NOT_FOUND').details).to.deep.equal({ method: 'GET', path: '/nowhere' });
    expect(missing.headers.get('content-security-policy')).to.equal("default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
    expect(missing.headers.get('strict-transport-security')).to.equal(null);
    expect(missing.headers.get('x-powered-by')).to.equal(null);
  });

  it('refuses bad POST /predict bodies: non-JSON 415, malformed JSON or NaN 400, over the body limit 413, too many instances 413', async function () {
    const app = await apps.api();
    const body = JSON.stringify({ features: fixtureFeatures(2) });
    expectError(await app.request('POST', '/predict', body, { 'content-type': 'text/plain' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
    expectError(await app.request('POST', '/predict', body, { 'content-type': 'application/json; charset=utf-16' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
    expectError(await app.request('POST', '/predict', '{"features": {"amount": 1,'), 400, 'MALFORMED_JSON');
    expectError(await app.request('POST', '/predict', '{"features": {"amount": NaN}}'), 400, 'MALFORMED_JSON');
    expectError(await app.request('POST', '/predict', ''), 400, 'INVALID_REQUEST');
    const large = expectError(await app.request('POST', '/predict', { features: { ...fixtureFeatures(3), pad: 'x'.repeat(5000) } }), 413, 'BODY_TOO_LARGE');
    expect(large.details).to.deep.equal({ where: 'body', limit_bytes: 4096 });
    const many = Array.from({ length: 11 }, (_, n) => fixtureFeatures(n));
    expect(expectError(await app.request('POST', '/predict', { instances: many }), 413, 'TOO_MANY_INSTANCES').details).to.include({ limit: 10, received: 11 });
    expect(
      expectError(await app.request('POST', '/predict', { features: { ...fixtureFeatures(4), amount: -1 } }), 422, 'INVALID_FEATURES').details,
    ).to.have.property('problems');
  });

  it('answers a malformed percent-escape in a path 400 INVALID_REQUEST, not 500', async function () {
    const app = await apps.api();
    const error = expectError(await app.request('GET', '/admin/dead-letters/%E0%A4%A'), 400, 'INVALID_REQUEST');
    expect(error.details).to.deep.equal({ where: 'path', reason: 'undecodable' });
    expect(app.lines.filter((line) => line.level === 'error')).to.deep.equal([]);
  });

  it('with prediction logging off, answers the queue endpoints 503 NOT_READY saying so (no Redis is asked)', async function () {
    const app = await apps.api();
    for (const path of ['/admin/dead-letters', '/monitoring/queue']) {
      expect(expectError(await app.request('GET', path), 503, 'NOT_READY', path).message, path).to.match(/Prediction logging is off/);
    }
  });

  it('answers the monitoring endpoints from the SQLite file: an empty window is count 0 and nulls', async function () {
    const app = await apps.api();
    const latency = await app.request('GET', '/monitoring/latency?window=1h');
    expect(latency.status).to.equal(200);
    expect(latency.body).to.deep.equal({ window: '1h', count: 0, p50: null, p95: null, p99: null, mean: null, max: null });
    expectError(await app.request('GET', '/monitoring/latency?window=soon'), 400, 'INVALID_QUERY_PARAMETER');
  });

  it('guards /monitoring and /admin with the monitoring key and /predict with its own; the probes, /metrics and /model stay open', async function () {
    const app = await apps.api({ security: { monitoringApiKey: MONITORING_KEY, predictApiKey: PREDICT_KEY } });
    const monitoring = { authorization: `Bearer ${MONITORING_KEY}` };
    const predict = { authorization: `Bearer ${PREDICT_KEY}` };
    for (const path of ['/monitoring/latency', '/monitoring/distribution', '/admin/dead-letters']) {
      const refused = await app.request('GET', path);
      expectError(refused, 401, 'UNAUTHORIZED', path);
      expect(refused.headers.get('www-authenticate'), path).to.equal('Bearer realm="monitoring"');
      expectError(await app.request('GET', path, undefined, predict), 401, 'UNAUTHORIZED', `${path} with the predict key`);
    }
    expect((await app.request('GET', '/monitoring/latency', undefined, monitoring)).status).to.equal(200);
    const body = { features: fixtureFeatures(5) };
    const refused = await app.request('POST', '/predict', body, monitoring);
    expectError(refused, 401, 'UNAUTHORIZED', '/predict with the monitoring key');
    expect(refused.headers.get('www-authenticate')).to.equal('Bearer realm="predict", error="invalid_token"');
    expect((await app.request('POST', '/predict', body, predict)).status).to.equal(200);
    for (const path of ['/healthz', '/readyz', '/metrics', '/model']) expect((await app.request('GET', path)).status, path).to.equal(200);
  });

  it('rate limits before authenticating or reading the body (429 with Retry-After); /healthz and /readyz are never limited', async function () {
    const app = await apps.api({ security: { rateLimitPerMinute: 2, monitoringApiKey: MONITORING_KEY } });
    for (let i = 0; i < 5; i++) {
      expect((await app.request('GET', '/healthz')).status).to.equal(200);
      expect((await app.request('GET', '/readyz')).status).to.equal(200);
    }
    expectError(await app.request('GET', '/monitoring/latency'), 401, 'UNAUTHORIZED');
    expectError(await app.request('POST', '/predict', '{"not json'), 400, 'MALFORMED_JSON');
    // The third request: refused before the key check (no key sent) and before the body is read (malformed).
    const limited = await app.request('POST', '/predict', '{"not json');
    // The client's minute opened with its first request, just now.
    expect(expectError(limited, 429, 'RATE_LIMITED').details).to.deep.equal({ limit_per_minute: 2, retry_after_s: 60 });
    expect(limited.headers.get('retry-after')).to.equal('60');
    expectError(await app.request('GET', '/monitoring/latency', undefined, { authorization: `Bearer ${MONITORING_KEY}` }), 429, 'RATE_LIMITED');
    expect((await app.request('GET', '/healthz')).status).to.equal(200);
  });

  it('sends HSTS when configured, on answers and errors', async function () {
    const app = await apps.api({ security: { hstsMaxAgeSeconds: 600 } });
    for (const path of ['/healthz', '/nowhere']) {
      expect((await app.request('GET', path)).headers.get('strict-transport-security'), path).to.equal('max-age=600; includeSubDomains');
    }
  });

  it('answers /readyz 200 degraded while Redis is down and the journal keeps records, 503 once the journal cannot', async function () {
    let health: LoggerHealth = { redis: 'down', journalWritable: true, backlogBytes: 4096, maxBytes: 1 << 20, full: false };
    const app = await apps.api({ readiness: new Readiness({ model: modelLoaded, ...loggerChecks({ health: () => health }) }) });
    const degraded = await app.request('GET', '/readyz');
    expect(degraded.status).to.equal(200);
    expect(degraded.body).to.deep.equal({ status: 'degraded', checks: { model: 'ok', redis: 'down', journal: 'ok' } });
    health = { ...health, full: true };
    const full = await app.request('GET', '/readyz');
    expect(full.status).to.equal(503);
    expect(full.body).to.deep.equal({ status: 'not_ready', checks: { model: 'ok', redis: 'down', journal: 'full' } });
    health = { ...health, redis: 'up', full: false, journalWritable: false };
    const unwritable = await app.request('GET', '/readyz');
    expect(unwritable.status).to.equal(503);
    expect(unwritable.body).to.deep.equal({ status: 'not_ready', checks: { model: 'ok', redis: 'ok', journal: 'unwritable' } });
  });

  it('answers /readyz 503 shutting_down once shutdown has begun, while /healthz and /predict still answer 200', async function () {
    const readiness = new Readiness({ model: modelLoaded });
    const app = await apps.api({ readiness });
    expect((await app.request('GET', '/readyz')).body).to.deep.equal({ status: 'ready', checks: { model: 'ok' } });
    readiness.beginShutdown();
    const answer = await app.request('GET', '/readyz');
    expect(answer.status).to.equal(503);
    expect(answer.body).to.deep.equal({ status: 'shutting_down', checks: { model: 'ok' } });
    expect((await app.request('GET', '/healthz')).status).to.equal(200);
    expect((await app.request('POST', '/predict', { features: fixtureFeatures(6) })).status).to.equal(200);
  });
});
