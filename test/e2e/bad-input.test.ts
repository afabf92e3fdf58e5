import { expect } from 'chai';
import Database from 'better-sqlite3';
import { request } from '../support/http';
import { startStack, type Stack } from '../support/stack';
import { queryPostgres, referenceInstances, testConfig, waitFor } from '../support/test-env';

interface ErrorBody {
  error: { code: string; message: string; details: Record<string, unknown> };
}

describe('bad input gets a clear 4xx and is never stored', function () {
  let stack: Stack;
  const valid = () => ({ ...referenceInstances(1)[0]! });

  before(async function () {
    stack = await startStack(testConfig({ BODY_LIMIT_BYTES: '4096', MAX_INSTANCES_PER_REQUEST: '10' }));
  });
  after(async function () {
    await stack?.close();
  });

  const post = (body: unknown, headers: Record<string, string> = {}) => request<ErrorBody>(stack.api.port, 'POST', '/predict', body, headers);

  function expectError(response: { status: number; body: ErrorBody; contentType: string | null }, status: number, code: string, path?: string) {
    expect(response.status, JSON.stringify(response.body)).to.equal(status);
    expect(response.contentType).to.match(/application\/json/);
    expect(response.body.error.code).to.equal(code);
    expect(response.body.error.message).to.be.a('string').and.not.equal('');
    expect(response.body.error.details).to.be.an('object');
    if (path !== undefined) {
      const problems = response.body.error.details.problems as { path: string; problem: string }[];
      expect(problems.map((p) => p.path)).to.include(path);
    }
  }

  it('malformed JSON → 400 MALFORMED_JSON', async function () {
    expectError(await post('{"features": {"amount": 1,'), 400, 'MALFORMED_JSON');
  });

  it('NaN in the body (not JSON) → 400 MALFORMED_JSON', async function () {
    expectError(await post('{"features": {"amount": NaN}}'), 400, 'MALFORMED_JSON');
  });

  it('a number too large to be finite → 422 naming the feature', async function () {
    const body = JSON.stringify({ features: valid() }).replace(/"amount":[^,}]+/, '"amount":1e400');
    expectError(await post(body), 422, 'INVALID_FEATURES', 'features.amount');
  });

  it('a missing feature → 422 naming it', async function () {
    const features: Record<string, unknown> = valid();
    delete features.velocity;
    expectError(await post({ features }), 422, 'INVALID_FEATURES', 'features.velocity');
  });

  it('an unknown feature → 422 naming it', async function () {
    expectError(await post({ features: { ...valid(), favourite_colour: 'blue' } }), 422, 'INVALID_FEATURES', 'features.favourite_colour');
  });

  it('a wrong type → 422 naming the feature', async function () {
    expectError(await post({ features: { ...valid(), amount: '12.5' } }), 422, 'INVALID_FEATURES', 'features.amount');
    expectError(await post({ features: { ...valid(), card_present: 1 } }), 422, 'INVALID_FEATURES', 'features.card_present');
  });

  it('a value outside the spec range → 422', async function () {
    expectError(await post({ features: { ...valid(), amount: -5 } }), 422, 'INVALID_FEATURES', 'features.amount');
    expectError(await post({ features: { ...valid(), velocity: 2.5 } }), 422, 'INVALID_FEATURES', 'features.velocity');
  });

  it('a category outside the set → 422', async function () {
    expectError(await post({ features: { ...valid(), merchant_category: 'casino' } }), 422, 'INVALID_FEATURES', 'features.merchant_category');
  });

  it('a bad instance inside a batch → 422 naming its index, and none of the batch is logged', async function () {
    expectError(await post({ instances: [valid(), { ...valid(), amount: null }] }), 422, 'INVALID_FEATURES', 'instances[1].amount');
  });

  it('wrong body shapes → 400 INVALID_REQUEST', async function () {
    expectError(await post([1, 2]), 400, 'INVALID_REQUEST');
    expectError(await post({ features: valid(), instances: [valid()] }), 400, 'INVALID_REQUEST');
    expectError(await post({ instances: [] }), 400, 'INVALID_REQUEST');
    expectError(await post({}), 400, 'INVALID_REQUEST');
  });

  it('too many instances → 413', async function () {
    expectError(await post({ instances: Array.from({ length: 11 }, valid) }), 413, 'TOO_MANY_INSTANCES');
  });

  it('a body over the limit → 413', async function () {
    expectError(await post(JSON.stringify({ features: { ...valid(), pad: 'x'.repeat(5000) } })), 413, 'BODY_TOO_LARGE');
  });

  it('a wrong content type → 415', async function () {
    expectError(await post(JSON.stringify({ features: valid() }), { 'content-type': 'text/plain' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('bad query parameters → 400 naming the parameter', async function () {
    for (const path of [
      '/monitoring/latency?window=abc',
      '/monitoring/latency?window=0h',
      '/monitoring/distribution?window=99d',
      '/monitoring/predictions?limit=0',
      '/monitoring/predictions?limit=1001',
      '/monitoring/predictions?limit=ten',
      '/monitoring/latency?window=1h&window=2h',
      '/monitoring/latency?colour=red',
    ]) {
      const response = await request<ErrorBody>(stack.api.port, 'GET', path);
      expectError(response, 400, 'INVALID_QUERY_PARAMETER');
      expect(response.body.error.details.parameter, path).to.be.a('string');
    }
  });

  it('an unknown route → 404 JSON', async function () {
    expectError(await request<ErrorBody>(stack.api.port, 'GET', '/nope'), 404, 'NOT_FOUND');
  });

  it('stored none of the bad requests: only the one good prediction sent after them is in either store', async function () {
    const good = await request<{ prediction_id: string }>(stack.api.port, 'POST', '/predict', { features: valid() });
    expect(good.status).to.equal(200);
    const db = new Database(stack.config.sqlitePath, { readonly: true });
    try {
      await waitFor('the good prediction in SQLite', () =>
        db.prepare('SELECT 1 FROM predictions WHERE prediction_id = ?').get(good.body.prediction_id) ? true : undefined,
      );
      expect(db.prepare('SELECT prediction_id FROM predictions').pluck().all()).to.deep.equal([good.body.prediction_id]);
    } finally {
      db.close();
    }
    await stack.worker.shipper!.drain();
    const rows = await queryPostgres<{ prediction_id: string }>(`SELECT prediction_id FROM "${stack.config.auditSchema}".predictions`);
    expect(rows.map((r) => r.prediction_id)).to.deep.equal([good.body.prediction_id]);
  });
});
