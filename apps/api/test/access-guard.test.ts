import { expect } from 'chai';
import { accessGuard } from '../src/security/access-guard';
import { accessFor, accessKeys, accessWarnings, type AccessKeyOptions } from '../src/security/access-keys';
import { useTestApps, type ErrorBody } from './support/test-app';

const READ_KEY = 'read-key-0123456789abcdef';
const ADMIN_KEY = 'admin-key-0123456789abcdef';
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const WRITES = ['POST', 'PUT', 'PATCH', 'DELETE'] as const;

describe('accessGuard (the read key and the admin key in front of /monitoring and /admin)', function () {
  const apps = useTestApps();
  const guarded = (keys: AccessKeyOptions) => apps.middleware([accessGuard({ keys: accessKeys(keys) })]);
  const both = { monitoringApiKey: READ_KEY, adminApiKey: ADMIN_KEY };

  it('lets the read key read and refuses its writes 401 read_only_key, realm admin, insufficient_scope', async function () {
    const app = await guarded(both);
    for (const method of ['GET', 'HEAD']) expect((await app.request(method, '/echo', undefined, bearer(READ_KEY))).status, method).to.equal(200);
    for (const method of WRITES) {
      const refused = await app.request<ErrorBody>(method, '/echo', undefined, bearer(READ_KEY));
      expect(refused.status, method).to.equal(401);
      expect(refused.body.error.code).to.equal('UNAUTHORIZED');
      expect(refused.body.error.details).to.deep.equal({ where: 'headers.authorization', realm: 'admin', reason: 'read_only_key' });
      expect(refused.headers.get('www-authenticate')).to.equal('Bearer realm="admin", error="insufficient_scope"');
    }
  });

  it('lets the admin key read and write', async function () {
    const app = await guarded(both);
    for (const method of ['GET', ...WRITES]) {
      const answer = await app.request<{ method: string }>(method, '/echo', undefined, bearer(ADMIN_KEY));
      expect(answer.status, method).to.equal(200);
      expect(answer.body.method).to.equal(method);
    }
  });

  it('refuses no key, a malformed header and a wrong key in the existing shape: realm monitoring for reads, admin for writes', async function () {
    const app = await guarded(both);
    const cases: [string, Record<string, string>, string, string][] = [
      ['GET', {}, 'missing', 'Bearer realm="monitoring"'],
      ['GET', { authorization: `Basic ${READ_KEY}` }, 'malformed', 'Bearer realm="monitoring"'],
      ['GET', bearer(`${READ_KEY}x`), 'invalid_key', 'Bearer realm="monitoring", error="invalid_token"'],
      ['POST', {}, 'missing', 'Bearer realm="admin"'],
      ['POST', bearer(ADMIN_KEY.slice(0, -1)), 'invalid_key', 'Bearer realm="admin", error="invalid_token"'],
    ];
    for (const [method, headers, reason, challenge] of cases) {
      const refused = await app.request<ErrorBody>(method, '/echo', undefined, headers);
      const what = `${method} ${reason}`;
      expect(refused.status, what).to.equal(401);
      expect(refused.body.error.details.reason, what).to.equal(reason);
      expect(refused.body.error.details.realm, what).to.equal(method === 'GET' ? 'monitoring' : 'admin');
      expect(refused.headers.get('www-authenticate'), what).to.equal(challenge);
      expect(JSON.stringify(refused.body), what).to.not.include(READ_KEY).and.not.include(ADMIN_KEY.slice(0, -1));
    }
  });

  it('without ADMIN_API_KEY, lets the monitoring key write, as before the split', async function () {
    const app = await guarded({ monitoringApiKey: READ_KEY });
    for (const method of ['GET', ...WRITES]) expect((await app.request(method, '/echo', undefined, bearer(READ_KEY))).status, method).to.equal(200);
    expect((await app.request('POST', '/echo')).status).to.equal(401);
  });

  it('with the admin key alone, reads are open and writes need it; with no key, everything is open', async function () {
    const adminOnly = await guarded({ adminApiKey: ADMIN_KEY });
    expect((await adminOnly.request('GET', '/echo')).status).to.equal(200);
    const refused = await adminOnly.request<ErrorBody>('POST', '/echo');
    expect(refused.status).to.equal(401);
    expect(refused.body.error.details).to.include({ realm: 'admin', reason: 'missing' });
    expect((await adminOnly.request('POST', '/echo', undefined, bearer(ADMIN_KEY))).status).to.equal(200);

    const open = await guarded({});
    for (const method of ['GET', ...WRITES]) expect((await open.request(method, '/echo')).status, method).to.equal(200);
  });
});

describe('accessKeys', function () {
  it('reads GET, HEAD and OPTIONS as reads and every other method as a write', function () {
    expect(['GET', 'HEAD', 'OPTIONS'].map(accessFor)).to.deep.equal(['read', 'read', 'read']);
    expect(['POST', 'PUT', 'PATCH', 'DELETE', 'PROPFIND'].map(accessFor)).to.deep.equal(['admin', 'admin', 'admin', 'admin', 'admin']);
  });

  it('grants by key: admin for the admin key, read for the read key (admin while no admin key is set), nothing otherwise', function () {
    const split = accessKeys({ monitoringApiKey: READ_KEY, adminApiKey: ADMIN_KEY });
    expect([split.grant(ADMIN_KEY), split.grant(READ_KEY), split.grant('other-key-0123456789'), split.grant(undefined)]).to.deep.equal([
      'admin',
      'read',
      undefined,
      undefined,
    ]);
    expect(accessKeys({ monitoringApiKey: READ_KEY }).grant(READ_KEY)).to.equal('admin');
    expect(accessKeys({}).grant(READ_KEY)).to.equal(undefined);
    expect(() => accessKeys({ adminApiKey: '' })).to.throw(RangeError);
  });

  it('warns at start-up only when the monitoring key is set without the admin key', function () {
    expect(accessWarnings({ monitoringApiKey: READ_KEY })).to.have.length(1);
    expect(accessWarnings({ monitoringApiKey: READ_KEY })[0]).to.match(/ADMIN_API_KEY is not set: MONITORING_API_KEY also replays dead letters/);
    expect(accessWarnings({ monitoringApiKey: READ_KEY, adminApiKey: ADMIN_KEY })).to.deep.equal([]);
    expect(accessWarnings({})).to.deep.equal([]);
  });
});
