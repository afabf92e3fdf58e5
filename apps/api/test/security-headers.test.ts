import { expect } from 'chai';
import type { Express } from 'express';
import { ApiError } from '../src/api-errors';
import { createLogger } from '@vigil/metrics';
import { requestEnvelope } from '../src/request-logging';
import { securityHeaderList, type SecurityHeadersOptions } from '../src/security/security-headers';
import { useTestApps } from './support/test-app';

/** What every answer of the API carries (helmet's defaults, tightened for an API that serves no HTML). */
const EXPECTED: Readonly<Record<string, string>> = {
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'x-dns-prefetch-control': 'off',
  'x-permitted-cross-domain-policies': 'none',
};

function expectHeaders(headers: Headers, hsts: string | null, what: string): void {
  for (const [name, value] of Object.entries(EXPECTED)) expect(headers.get(name), `${what}: ${name}`).to.equal(value);
  expect(headers.get('strict-transport-security'), `${what}: HSTS`).to.equal(hsts);
}

/** The API's first middleware, which sets the headers, with a logger that writes nothing and a counter that counts nothing. */
function envelope(options: SecurityHeadersOptions = {}) {
  return requestEnvelope({ logger: createLogger('test', 'error', () => undefined), headers: securityHeaderList(options), counter: { count: () => undefined } });
}

describe('security headers (the request envelope)', function () {
  const apps = useTestApps();
  const routes = (app: Express) => {
    app.get('/echo', (_req, res) => void res.json({ ok: true }));
    app.get('/fails', () => {
      throw new ApiError('INVALID_REQUEST', 'refused on purpose');
    });
  };

  it('sends every header, and no HSTS unless asked, on answers, errors and 404s alike', async function () {
    const app = await apps.middleware([envelope()], routes);
    for (const [path, status] of [
      ['/echo', 200],
      ['/fails', 400],
      ['/nowhere', 404],
    ] as const) {
      const answer = await app.request('GET', path);
      expect(answer.status, path).to.equal(status);
      expectHeaders(answer.headers, null, path);
    }
  });

  it('adds Strict-Transport-Security with includeSubDomains when a max-age is set (0 included: it tells browsers to forget)', async function () {
    for (const maxAge of [31_536_000, 0]) {
      const app = await apps.middleware([envelope({ hstsMaxAgeSeconds: maxAge })], routes);
      for (const path of ['/echo', '/fails'])
        expectHeaders((await app.request('GET', path)).headers, `max-age=${maxAge}; includeSubDomains`, `${maxAge} ${path}`);
    }
  });

  it('refuses a max-age that is not a whole number of seconds >= 0', function () {
    for (const hstsMaxAgeSeconds of [-1, 1.5, Number.NaN])
      expect(() => securityHeaderList({ hstsMaxAgeSeconds }), String(hstsMaxAgeSeconds)).to.throw(RangeError);
  });
});
