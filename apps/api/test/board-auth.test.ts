import { expect } from 'chai';
import { boardAccess, boardAuth, sameOriginWrites } from '../src/dashboard/board-auth';
import { accessKeys, type AccessKeyOptions } from '../src/security/access-keys';
import { useTestApps, type ErrorBody } from './support/test-app';

const KEY = 'board-key-0123456789abcdef';
const ADMIN_KEY = 'board-admin-key-0123456789abcdef';
const CHALLENGE = 'Basic realm="vigil-monitoring", charset="UTF-8"';
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;

describe('boardAuth (the queue board: Bearer, or HTTP Basic with the key as password)', function () {
  const apps = useTestApps();
  const guarded = () => apps.middleware([boardAuth({ keys: accessKeys({ monitoringApiKey: KEY }), realm: 'vigil-monitoring' })]);

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
    const app = await apps.middleware([boardAuth({ keys: accessKeys({ monitoringApiKey: 'with:colons:inside' }), realm: 'vigil-monitoring' })]);
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

  it('refuses to be built with an empty key, or with a realm that could break out of its header', function () {
    expect(() => boardAuth({ keys: accessKeys({ monitoringApiKey: '' }), realm: 'vigil-monitoring' })).to.throw(RangeError);
    expect(() => boardAuth({ keys: accessKeys({ monitoringApiKey: KEY }), realm: 'x", charset="latin1' })).to.throw(RangeError);
  });
});

describe('boardAuth with the read key and the admin key', function () {
  const apps = useTestApps();
  const WRITES = ['POST', 'PUT', 'PATCH', 'DELETE'] as const;

  /** The board's guard, then a route that says which board (read-only or with actions) it was let into. */
  const guarded = (keys: AccessKeyOptions) =>
    apps.middleware([boardAuth({ keys: accessKeys(keys), realm: 'vigil-monitoring' })], (app) => {
      app.all('/echo', (req, res) => void res.json({ method: req.method, board: boardAccess(res) }));
    });

  it('shows the read key the read-only board and refuses its writes 401 read_only_key, with a challenge a browser does not prompt for', async function () {
    const app = await guarded({ monitoringApiKey: KEY, adminApiKey: ADMIN_KEY });
    for (const authorization of [basic('viewer', KEY), `Bearer ${KEY}`]) {
      const page = await app.request<{ board: string }>('GET', '/echo', undefined, { authorization });
      expect(page.status, authorization).to.equal(200);
      expect(page.body.board, authorization).to.equal('read');
      for (const method of WRITES) {
        const refused = await app.request<ErrorBody>(method, '/echo', undefined, { authorization });
        expect(refused.status, `${method} ${authorization}`).to.equal(401);
        expect(refused.body.error.code).to.equal('UNAUTHORIZED');
        expect(refused.body.error.details).to.deep.equal({ where: 'headers.authorization', realm: 'vigil-monitoring', reason: 'read_only_key' });
        expect(refused.headers.get('www-authenticate')).to.equal('Bearer realm="vigil-monitoring", error="insufficient_scope"');
      }
    }
  });

  it('shows the admin key the board with its actions, for reads and writes, as Basic password or Bearer', async function () {
    const app = await guarded({ monitoringApiKey: KEY, adminApiKey: ADMIN_KEY });
    for (const authorization of [basic('operator', ADMIN_KEY), `Bearer ${ADMIN_KEY}`]) {
      for (const method of ['GET', ...WRITES]) {
        const answer = await app.request<{ board: string }>(method, '/echo', undefined, { authorization });
        expect(answer.status, `${method} ${authorization}`).to.equal(200);
        expect(answer.body.board).to.equal('admin');
      }
    }
    // Any other key is still refused with the Basic challenge, reads and writes alike.
    for (const method of ['GET', 'PUT']) {
      const wrong = await app.request<ErrorBody>(method, '/echo', undefined, { authorization: basic('operator', `${ADMIN_KEY}x`) });
      expect(wrong.status).to.equal(401);
      expect(wrong.body.error.details.reason).to.equal('invalid_key');
      expect(wrong.headers.get('www-authenticate')).to.equal(CHALLENGE);
    }
  });

  it('without ADMIN_API_KEY, lets the monitoring key act, as before the split', async function () {
    const app = await guarded({ monitoringApiKey: KEY });
    for (const method of ['GET', ...WRITES]) {
      const answer = await app.request<{ board: string }>(method, '/echo', undefined, { authorization: basic('operator', KEY) });
      expect(answer.status, method).to.equal(200);
      expect(answer.body.board, method).to.equal('admin');
    }
  });

  it('with no key at all the board is open with its actions; with the admin key alone, open to read and keyed to act', async function () {
    const open = await guarded({});
    for (const method of ['GET', 'PUT']) expect((await open.request<{ board: string }>(method, '/echo')).body.board, method).to.equal('admin');

    const adminOnly = await guarded({ adminApiKey: ADMIN_KEY });
    expect((await adminOnly.request<{ board: string }>('GET', '/echo')).body.board).to.equal('read');
    const refused = await adminOnly.request<ErrorBody>('PUT', '/echo');
    expect(refused.status).to.equal(401);
    // A browser prompts on this challenge, so the operator can give the admin key there and then.
    expect(refused.headers.get('www-authenticate')).to.equal(CHALLENGE);
    expect(refused.body.error.details.reason).to.equal('missing');
    const acting = await adminOnly.request<{ board: string }>('PUT', '/echo', undefined, { authorization: basic('operator', ADMIN_KEY) });
    expect(acting.status).to.equal(200);
    expect(acting.body.board).to.equal('admin');
    expect((await adminOnly.request<{ board: string }>('GET', '/echo', undefined, { authorization: `Bearer ${ADMIN_KEY}` })).body.board).to.equal('admin');
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
