import { expect } from 'chai';
import { boardAuth, sameOriginWrites } from '../src/dashboard/board-auth';
import { useTestApps, type ErrorBody } from './support/test-app';

const KEY = 'board-key-0123456789abcdef';
const CHALLENGE = 'Basic realm="vigil-monitoring", charset="UTF-8"';
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;

describe('boardAuth (the queue board: Bearer, or HTTP Basic with the key as password)', function () {
  const apps = useTestApps();
  const guarded = () => apps.middleware([boardAuth({ key: KEY, realm: 'vigil-monitoring' })]);

  it('challenges a request without credentials with Basic, so a browser asks for them (401, reason missing)', async function () {
    const app = await guarded();
    const answer = await app.request<ErrorBody>('GET', '/echo');
    expect(answer.status).to.equal(401);
    expect(answer.headers.get('www-authenticate')).to.equal(CHALLENGE);
    expect(answer.body.error).to.deep.include({ code: 'UNAUTHORIZED' });
    expect(answer.body.error.details).to.deep.equal({ where: 'headers.authorization', realm: 'vigil-monitoring', reason: 'missing' });
  });

  it('lets in HTTP Basic with the key as password, whatever the user name, and a Bearer key', async function () {
    const app = await guarded();
    for (const header of [basic('operator', KEY), basic('', KEY), `basic ${Buffer.from(`x:${KEY}`).toString('base64')}`, `Bearer ${KEY}`, `bearer ${KEY}`]) {
      const answer = await app.request('GET', '/echo', undefined, { authorization: header });
      expect(answer.status, header).to.equal(200);
      expect(answer.headers.get('www-authenticate'), header).to.equal(null);
    }
  });

  it('takes everything after the first colon as the password, so a key may hold colons', async function () {
    const app = await apps.middleware([boardAuth({ key: 'with:colons:inside', realm: 'vigil-monitoring' })]);
    expect((await app.request('GET', '/echo', undefined, { authorization: basic('operator', 'with:colons:inside') })).status).to.equal(200);
    // A user name holds no colon (RFC 7617): "with" is the user here, and "colons:inside" is not the key.
    expect((await app.request('GET', '/echo', undefined, { authorization: basic('with', 'colons:inside') })).status).to.equal(401);
  });

  it('answers a wrong key 401 invalid_key and a header it cannot read 401 malformed, both with the Basic challenge', async function () {
    const app = await guarded();
    const cases: [string, string][] = [
      [basic('operator', 'wrong'), 'invalid_key'],
      [basic(KEY, ''), 'invalid_key'], // the key as user name is not the password
      [`Bearer ${KEY}x`, 'invalid_key'],
      [`Basic ${Buffer.from(KEY).toString('base64')}`, 'malformed'], // no colon: no password
      ['Basic !!!', 'malformed'],
      [`Digest ${KEY}`, 'malformed'],
      [KEY, 'malformed'],
    ];
    for (const [header, reason] of cases) {
      const answer = await app.request<ErrorBody>('GET', '/echo', undefined, { authorization: header });
      expect(answer.status, header).to.equal(401);
      expect(answer.headers.get('www-authenticate'), header).to.equal(CHALLENGE);
      expect(answer.body.error.details.reason, header).to.equal(reason);
    }
  });

  it('refuses to be built without a key, or with a realm that could break out of its header', function () {
    expect(() => boardAuth({ key: '', realm: 'vigil-monitoring' })).to.throw(RangeError);
    expect(() => boardAuth({ key: KEY, realm: 'x", charset="latin1' })).to.throw(RangeError);
  });
});

describe('sameOriginWrites (no queue action from another site)', function () {
  const apps = useTestApps();
  const guarded = () => apps.middleware([sameOriginWrites]);

  it('refuses a write a browser says another site started (Sec-Fetch-Site), 401 cross_site', async function () {
    const app = await guarded();
    for (const site of ['cross-site', 'same-site']) {
      for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
        const answer = await app.request<ErrorBody>(method, '/echo', undefined, { 'sec-fetch-site': site });
        expect(answer.status, `${method} ${site}`).to.equal(401);
        expect(answer.body.error.code).to.equal('UNAUTHORIZED');
        expect(answer.body.error.details, `${method} ${site}`).to.deep.equal({ where: 'headers.origin', reason: 'cross_site' });
      }
    }
  });

  it('refuses a write whose Origin is another host, or an Origin that is not a URL', async function () {
    const app = await guarded();
    for (const origin of ['https://evil.example', `http://127.0.0.1:${app.port + 1}`, 'null']) {
      const answer = await app.request<ErrorBody>('PUT', '/echo', undefined, { origin });
      expect(answer.status, origin).to.equal(401);
      expect(answer.body.error.details.reason, origin).to.equal('cross_site');
    }
  });

  it('lets through reads from anywhere, writes from the board itself, and writes without browser headers (curl, scripts)', async function () {
    const app = await guarded();
    const self = `http://127.0.0.1:${app.port}`;
    const allowed: [string, Record<string, string>][] = [
      ['GET', { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' }],
      ['HEAD', { 'sec-fetch-site': 'cross-site' }],
      ['PUT', { 'sec-fetch-site': 'same-origin', origin: self }],
      ['POST', { 'sec-fetch-site': 'none' }],
      ['POST', { origin: self }],
      ['DELETE', {}],
    ];
    for (const [method, headers] of allowed) {
      const answer = await app.request(method, '/echo', undefined, headers);
      expect(answer.status, `${method} ${JSON.stringify(headers)}`).to.equal(200);
    }
  });
});
