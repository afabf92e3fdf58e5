import { expect } from 'chai';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadModel, type ModelRunner } from '@vigil/model';
import { useTestApps } from './support/test-app';

const ARTIFACTS = fileURLToPath(new URL('../../../artifacts/', import.meta.url));
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const instance = {
  amount: 120,
  velocity: 3,
  hour_of_day: 14,
  is_weekend: false,
  merchant_category: 'grocery',
  distance_from_home_km: 5,
  card_present: true,
  amount_to_avg_ratio_7d: 1.1,
  customer_tx_count_7d: 10,
  terminal_risk_28d: 0.01,
};

describe('request ids and access lines (the request envelope)', function () {
  const { api } = useTestApps();
  let model: ModelRunner;
  before(async () => {
    model = await loadModel({ modelPath: join(ARTIFACTS, 'model.onnx'), specPath: join(ARTIFACTS, 'model.spec.json') });
  });
  after(() => model.close());

  it('gives every answer an X-Request-Id: the client’s when it is a plain token, a new UUID otherwise', async () => {
    const app = await api();
    const fresh = await app.request('POST', '/predict', { features: instance });
    expect(fresh.status).to.equal(200);
    expect(fresh.headers.get('x-request-id')).to.match(UUID);
    const kept = await app.request('GET', '/model', undefined, { 'x-request-id': 'lb-7f3a.42:9' });
    expect(kept.headers.get('x-request-id')).to.equal('lb-7f3a.42:9');
    const replaced = await app.request('GET', '/model', undefined, { 'x-request-id': 'a b<script>' });
    expect(replaced.headers.get('x-request-id')).to.match(UUID);
    // Errors too, and 404s.
    const missing = await app.request('GET', '/nowhere', undefined, { 'x-request-id': 'trace-1' });
    expect(missing.status).to.equal(404);
    expect(missing.headers.get('x-request-id')).to.equal('trace-1');
  });

  it('writes one access line per request (debug for 2xx, info for 4xx) with id, method, path, status and duration, never the headers', async () => {
    const app = await api({ security: { predictApiKey: 'predict-key-123456789012' } });
    await app.request('POST', '/predict', { features: instance }, { authorization: 'Bearer predict-key-123456789012', 'x-request-id': 'ok-1' });
    await app.request(
      'POST',
      '/predict',
      { features: { ...instance, hour_of_day: 99 } },
      { authorization: 'Bearer predict-key-123456789012', 'x-request-id': 'bad-1' },
    );
    await app.request('GET', '/healthz');
    const access = app.lines.filter((line) => line.message === 'request');
    expect(access.map((line) => [line.level, line.request_id, line.req, line.res])).to.deep.equal([
      ['debug', 'ok-1', { method: 'POST', path: '/predict' }, { status: 200 }],
      ['info', 'bad-1', { method: 'POST', path: '/predict' }, { status: 422 }],
    ]);
    for (const line of access) {
      expect(line.duration_ms).to.be.a('number');
      expect(line.component).to.equal('api');
      expect(JSON.stringify(line)).not.to.include('predict-key');
    }
  });

  it('logs a 500 with its stack and the request id the client got', async () => {
    const failing: ModelRunner = {
      ...model,
      score: async () => {
        throw new Error('the session is gone');
      },
    };
    const app = await api({ model: failing });
    const answer = await app.request('POST', '/predict', { features: instance });
    expect(answer.status).to.equal(500);
    const id = answer.headers.get('x-request-id');
    const failure = app.lines.find((line) => line.message === 'request failed' && line.level === 'error');
    expect(failure?.request_id).to.equal(id);
    expect(String(failure?.stack)).to.match(/Error: the session is gone\n\s+at /);
    const access = app.lines.find((line) => line.message === 'request failed' && line.level === 'warn');
    expect(access?.request_id).to.equal(id);
    expect(access?.res).to.deep.equal({ status: 500 });
  });
});
