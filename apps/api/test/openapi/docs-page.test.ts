import { expect } from 'chai';
import { useDocumentedApps } from './documented-app';

const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** The src of every script and the href of every stylesheet a page names. */
function referencedFiles(html: string): { scripts: string[]; styles: string[]; inlineScripts: number } {
  const scripts = [...html.matchAll(/<script\b[^>]*\bsrc="([^"]+)"[^>]*>/g)].map((match) => match[1] as string);
  const styles = [...html.matchAll(/<link\b[^>]*rel="stylesheet"[^>]*href="([^"]+)"[^>]*>/g)].map((match) => match[1] as string);
  const inlineScripts = [...html.matchAll(/<script\b([^>]*)>/g)].filter((match) => !/\bsrc=/.test(match[1] as string)).length;
  return { scripts, styles, inlineScripts };
}

describe('GET /docs: the API reference page, served from node_modules', function () {
  const apps = useDocumentedApps();

  it('is HTML whose every script and stylesheet loads from the app itself with 200 and its own type', async function () {
    const app = await apps.build();
    const page = await app.request<string>('GET', '/docs');
    expect(page.status).to.equal(200);
    expect(page.contentType).to.match(/^text\/html/);
    const { scripts, styles, inlineScripts } = referencedFiles(page.body);
    expect(scripts).to.deep.equal(['/docs/assets/swagger-ui-bundle.js', '/docs/assets/docs-init.js']);
    expect(styles).to.include('/docs/assets/swagger-ui.css');
    expect(inlineScripts, 'no inline script').to.equal(0);
    expect(page.body).not.to.match(/\bstyle="/);
    for (const [files, type] of [
      [scripts, /^text\/javascript/],
      [styles, /^text\/css/],
    ] as const) {
      for (const file of files) {
        expect(file, 'same origin').to.match(/^\/docs\/assets\//);
        const answer = await app.request<string>('GET', file);
        expect(answer.status, file).to.equal(200);
        expect(answer.contentType, file).to.match(type);
        expect(answer.body.length, file).to.be.greaterThan(100);
      }
    }
    const init = await app.request<string>('GET', '/docs/assets/docs-init.js');
    expect(init.body).to.include("url: '/openapi.json'").and.include('validatorUrl: null');
    const bundle = await app.request<string>('GET', '/docs/assets/swagger-ui-bundle.js');
    expect(bundle.body).to.include('SwaggerUIBundle');
  });

  it('sends its own strict CSP (its own files only, nothing inline, nothing from elsewhere); every other answer keeps the API policy', async function () {
    const app = await apps.build();
    const page = await app.request('GET', '/docs');
    const csp = page.headers.get('content-security-policy') ?? '';
    const directives = new Map(
      csp
        .split(';')
        .map((part) => part.trim().split(/\s+/) as [string, ...string[]])
        .map(([name, ...values]) => [name, values]),
    );
    expect(directives.get('default-src')).to.deep.equal(["'none'"]);
    expect(directives.get('script-src')).to.deep.equal(["'self'"]);
    expect(directives.get('style-src')).to.deep.equal(["'self'"]);
    expect(directives.get('connect-src')).to.deep.equal(["'self'"]);
    expect(directives.get('frame-ancestors')).to.deep.equal(["'none'"]);
    expect(csp).not.to.match(/unsafe-|https?:|\*/);
    expect(page.headers.get('x-frame-options')).to.equal('DENY');
    for (const path of ['/openapi.json', '/docs/assets/swagger-ui-bundle.js', '/healthz', '/model']) {
      expect((await app.request('GET', path)).headers.get('content-security-policy'), path).to.equal(API_CSP);
    }
  });

  it('serves only its named files, GET only, like every other route: anything else is the API JSON 404', async function () {
    const app = await apps.build();
    for (const path of [
      '/docs/assets/index.html',
      '/docs/assets/swagger-initializer.js',
      '/docs/assets/..%2Fpackage.json',
      '/docs/assets/swagger-ui-bundle.js.map',
    ]) {
      const answer = await app.request<{ error: { code: string } }>('GET', path);
      expect(answer.status, path).to.equal(404);
      expect(answer.body.error.code, path).to.equal('NOT_FOUND');
    }
    for (const path of ['/docs', '/openapi.json']) {
      const answer = await app.request<{ error: { code: string } }>('POST', path, {});
      expect(answer.status, `POST ${path}`).to.equal(404);
      expect((await app.request('OPTIONS', path)).status, `OPTIONS ${path}`).to.equal(405);
    }
  });

  it('serves every file the document names for /docs/assets/{name} and /dashboard/assets/{name}', async function () {
    const app = await apps.build();
    type Parameters = { parameters: { name: string; schema: { enum: string[] } }[] };
    const { body: document } = await app.request<{ paths: Record<string, { get: Parameters }> }>('GET', '/openapi.json');
    for (const page of ['/docs', '/dashboard']) {
      const names = document.paths[`${page}/assets/{name}`]?.get.parameters.find((parameter) => parameter.name === 'name')?.schema.enum ?? [];
      expect(names, page).to.have.length.greaterThan(1);
      for (const name of names) expect((await app.request('GET', `${page}/assets/${name}`)).status, `${page}/assets/${name}`).to.equal(200);
    }
  });

  it('needs no key, even when every key is set', async function () {
    const security = { predictApiKey: 'p'.repeat(24), monitoringApiKey: 'm'.repeat(24), adminApiKey: 'a'.repeat(24) };
    const app = await apps.build({ overrides: { security } });
    for (const path of ['/docs', '/openapi.json', '/docs/assets/docs-init.js']) expect((await app.request('GET', path)).status, path).to.equal(200);
  });
});
