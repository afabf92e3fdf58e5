import { expect } from 'chai';
import { bearerAuth } from '../src/security/bearer-auth';
import { useTestApps, type ErrorBody } from './support/test-app';

const KEY = 'monitoring-key-0123456789abcdef';

describe('bearerAuth', function () {
  const apps = useTestApps();
  const guarded = () => apps.middleware([bearerAuth({ key: KEY, realm: 'monitoring' })]);

  it('answers a request without an Authorization header 401 UNAUTHORIZED (reason missing) with a Bearer challenge', async function () {
    const app = await guarded();
    const answer = await app.request<ErrorBody>('GET', '/echo');
    expect(answer.status).to.equal(401);
    expect(answer.contentType).to.match(/^application\/json/);
    expect(answer.headers.get('www-authenticate')).to.equal('Bearer realm="monitoring"');
    expect(answer.body.error.code).to.equal('UNAUTHORIZED');
    expect(answer.body.error.details).to.deep.equal({ where: 'headers.authorization', realm: 'monitoring', reason: 'missing' });
  });

  it('answers a header that is not "Bearer <key>" 401 (reason malformed), with the same challenge', async function () {
    const app = await guarded();
    for (const header of [
      `Basic ${Buffer.from(`user:${KEY}`).toString('base64')}`,
      'Bearer',
      'Bearer ',
      `Token ${KEY}`,
      `Bearer ${KEY} extra`,
      `Bearer\t${KEY}`,
      `Bearer ${KEY}é`,
      KEY,
    ]) {
      const answer = await app.request<ErrorBody>('GET', '/echo', undefined, { authorization: header });
      expect(answer.status, header).to.equal(401);
      expect(answer.headers.get('www-authenticate'), header).to.equal('Bearer realm="monitoring"');
      expect(answer.body.error.details.reason, header).to.equal('malformed');
    }
  });

  it('answers a wrong key 401 (reason invalid_key) with error="invalid_token", also for the key cut short or one character longer', async function () {
    const app = await guarded();
    for (const wrong of ['not-the-key', KEY.slice(0, -1), `${KEY}x`, KEY.toUpperCase()]) {
      const answer = await app.request<ErrorBody>('GET', '/echo', undefined, { authorization: `Bearer ${wrong}` });
      expect(answer.status, wrong).to.equal(401);
      expect(answer.headers.get('www-authenticate'), wrong).to.equal('Bearer realm="monitoring", error="invalid_token"');
      expect(answer.body.error.details, wrong).to.deep.equal({ where: 'headers.authorization', realm: 'monitoring', reason: 'invalid_key' });
    }
  });

  it('lets the right key through, the scheme in any case and spaces around the key allowed, with no challenge', async function () {
    const app = await guarded();
    for (const header of [`Bearer ${KEY}`, `bearer ${KEY}`, `BEARER   ${KEY}  `]) {
      const answer = await app.request<{ method: string }>('POST', '/echo', { a: 1 }, { authorization: header });
      expect(answer.status, header).to.equal(200);
      expect(answer.body).to.deep.equal({ method: 'POST', body: null }); // no body parser mounted here: only auth ran
      expect(answer.headers.get('www-authenticate'), header).to.equal(null);
    }
  });

  it('never puts the expected or the presented key into an answer or a log line', async function () {
    const app = await guarded();
    const presented = 'presented-secret-9876543210';
    const answers = [await app.request('GET', '/echo', undefined, { authorization: `Bearer ${presented}` }), await app.request('GET', '/echo')];
    for (const answer of answers) {
      const text = JSON.stringify(answer.body) + JSON.stringify([...answer.headers]);
      expect(text).to.not.include(KEY).and.not.include(presented);
    }
    expect(JSON.stringify(app.lines)).to.not.include(KEY).and.not.include(presented);
  });

  it('refuses to be built without a key, or with a realm that could break out of its header', function () {
    expect(() => bearerAuth({ key: '', realm: 'monitoring' })).to.throw(RangeError);
    expect(() => bearerAuth({ key: KEY, realm: 'a" , b="c' })).to.throw(RangeError);
    expect(() => bearerAuth({ key: KEY, realm: '' })).to.throw(RangeError);
  });
});
