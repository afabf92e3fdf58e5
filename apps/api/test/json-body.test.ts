import { expect } from 'chai';
import { gzipSync } from 'node:zlib';
import { jsonBody } from '../src/security/json-body';
import { useTestApps, type ErrorBody } from './support/test-app';

const LIMIT = 1024;

describe('jsonBody', function () {
  const apps = useTestApps();
  const parsing = () => apps.middleware([jsonBody({ limitBytes: LIMIT })]);

  it('parses a UTF-8 JSON object or array into req.body', async function () {
    const app = await parsing();
    expect((await app.request('POST', '/echo', { features: { amount: 1.5, note: 'déjà' } })).body).to.deep.equal({
      method: 'POST',
      body: { features: { amount: 1.5, note: 'déjà' } },
    });
    expect((await app.request('POST', '/echo', [1, 2], { 'content-type': 'application/json; charset=UTF-8' })).body).to.deep.equal({
      method: 'POST',
      body: [1, 2],
    });
  });

  it('answers a JSON body in another charset 415 UNSUPPORTED_MEDIA_TYPE, naming it', async function () {
    const app = await parsing();
    for (const charset of ['utf-16', 'UTF-32', 'latin1', '"utf-16le"']) {
      const answer = await app.request<ErrorBody>('POST', '/echo', '{}', { 'content-type': `application/json; charset=${charset}` });
      expect(answer.status, charset).to.equal(415);
      expect(answer.body.error.code).to.equal('UNSUPPORTED_MEDIA_TYPE');
      expect(answer.body.error.details).to.deep.equal({ where: 'headers.content-type', charset: charset.replaceAll('"', '').toLowerCase() });
    }
  });

  it('leaves a body that is not JSON unread, for the route to refuse (POST /predict answers it 415: create-app.test.ts)', async function () {
    const app = await parsing();
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/jsonx']) {
      const answer = await app.request('POST', '/echo', '{"a":1}', { 'content-type': type });
      expect(answer.status, type).to.equal(200);
      expect(answer.body, type).to.deep.equal({ method: 'POST', body: null });
    }
  });

  it('answers malformed JSON 400 MALFORMED_JSON, NaN and a bare value included, saying why', async function () {
    const app = await parsing();
    for (const text of ['{"features": {"amount": 1,', '{"features": {"amount": NaN}}', '{"a": Infinity}', "{'a': 1}", '"just a string"', '12']) {
      const answer = await app.request<ErrorBody>('POST', '/echo', text, { 'content-type': 'application/json' });
      expect(answer.status, text).to.equal(400);
      expect(answer.body.error.code, text).to.equal('MALFORMED_JSON');
      expect(answer.body.error.details.where, text).to.equal('body');
      expect(answer.body.error.details.reason, text).to.be.a('string').and.not.equal('');
    }
    // An empty body is not refused here: it reads as {} (POST /predict then answers 400 INVALID_REQUEST).
    expect((await app.request('POST', '/echo', '', { 'content-type': 'application/json' })).body).to.deep.equal({ method: 'POST', body: {} });
  });

  it('answers a body over the limit 413 BODY_TOO_LARGE with the limit, and takes one at the limit', async function () {
    const app = await parsing();
    const body = (bytes: number) => JSON.stringify({ pad: 'x'.repeat(bytes - '{"pad":""}'.length) });
    expect(Buffer.byteLength(body(LIMIT))).to.equal(LIMIT);
    expect((await app.request('POST', '/echo', body(LIMIT))).status).to.equal(200);
    const answer = await app.request<ErrorBody>('POST', '/echo', body(LIMIT + 1));
    expect(answer.status).to.equal(413);
    expect(answer.body.error.code).to.equal('BODY_TOO_LARGE');
    expect(answer.body.error.details).to.deep.equal({ where: 'body', limit_bytes: LIMIT });
  });

  it("reads a gzip body, and answers one that says gzip and is not 400 INVALID_REQUEST (not zlib's own code)", async function () {
    const app = await parsing();
    const zipped = await fetch(`http://127.0.0.1:${app.port}/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: gzipSync('{"a":1}'),
    });
    expect(await zipped.json()).to.deep.equal({ method: 'POST', body: { a: 1 } });
    const answer = await app.request<ErrorBody>('POST', '/echo', '{"a":1}', { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    expect(answer.status).to.equal(400);
    expect(answer.body.error).to.deep.include({ code: 'INVALID_REQUEST' });
    expect(answer.body.error.details).to.deep.equal({ where: 'body', reason: 'undecodable' });
  });

  it('refuses to be built without a whole positive limit', function () {
    for (const limitBytes of [0, -1, 1.5, Number.NaN]) expect(() => jsonBody({ limitBytes }), String(limitBytes)).to.throw(RangeError);
  });
});
