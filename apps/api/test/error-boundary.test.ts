import { expect } from 'chai';
import type { Express } from 'express';
import { VigilError } from '@vigil/errors';
import { ERROR_STATUS, type ErrorCode } from '../src/error-status';
import { useTestApps, type ErrorBody } from './support/test-app';

const GENERIC = 'Internal error; it has been logged';

/** Routes that fail the ways a handler can: our error by code (sync or async), a foreign throw, a bad path parameter. */
function failingRoutes(app: Express): void {
  app.get('/ours/:code', (req) => {
    throw new VigilError(req.params.code as string, `refused: ${req.params.code}`, { where: 'test', code: req.params.code });
  });
  app.get('/ours-async/:code', async (req) => {
    await new Promise((resolve) => setImmediate(resolve));
    throw new VigilError(req.params.code as string, `refused later: ${req.params.code}`, { where: 'test' });
  });
  app.get('/crash', () => {
    throw new Error('connection string postgres://admin:hunter2@db/prod is wrong');
  });
  app.get('/crash-async', async () => {
    await new Promise((resolve) => setImmediate(resolve));
    throw new TypeError('Cannot read properties of undefined (reading "secret_field")');
  });
  app.get('/throws-a-string', () => {
    throw 'a bare string';
  });
  app.get('/items/:id', (req, res) => void res.json({ id: req.params.id }));
}

describe('error boundary (with the 404 and foreign-error handlers before it)', function () {
  const apps = useTestApps();
  const app = () => apps.middleware([], failingRoutes);

  it("answers every client-fault VigilError with its code's status from error-status.ts, as { error: { code, message, details } }", async function () {
    const served = await app();
    const clientCodes = (Object.entries(ERROR_STATUS) as [ErrorCode, number][]).filter(([, status]) => status < 500);
    expect(clientCodes.length).to.be.greaterThan(5);
    for (const [code, status] of clientCodes) {
      const answer = await served.request<ErrorBody>('GET', `/ours/${code}`);
      expect(answer.status, code).to.equal(status);
      expect(answer.contentType, code).to.match(/^application\/json/);
      expect(answer.body, code).to.deep.equal({ error: { code, message: `refused: ${code}`, details: { where: 'test', code } } });
      const later = await served.request<ErrorBody>('GET', `/ours-async/${code}`);
      expect(later.status, `${code} (async)`).to.equal(status);
      expect(later.body.error, `${code} (async)`).to.deep.equal({ code, message: `refused later: ${code}`, details: { where: 'test' } });
    }
    // Client faults are the client's to fix: nothing worth an error line.
    expect(served.lines.filter((line) => line.level === 'error')).to.deep.equal([]);
  });

  it('answers a server-fault VigilError with its code and status but no message or details of ours, and logs it with the stack', async function () {
    const served = await app();
    for (const code of ['INFERENCE_FAILED', 'STORE_REJECTED_DATA', 'CONFIG_INVALID'] as const) {
      const answer = await served.request<ErrorBody>('GET', `/ours/${code}`);
      expect(answer.status, code).to.equal(ERROR_STATUS[code]);
      expect(answer.body, code).to.deep.equal({ error: { code, message: GENERIC, details: {} } });
      const line = served.lines.find((l) => l.code === code);
      expect(line, code).to.deep.include({ level: 'error', message: 'request failed', method: 'GET', path: `/ours/${code}`, error: `refused: ${code}` });
      expect(line!.stack, code)
        .to.be.a('string')
        .and.match(/^VigilError: refused/);
    }
  });

  it('tells a 503 NOT_READY client its message: the dependency that is missing is no secret', async function () {
    const served = await app();
    const answer = await served.request<ErrorBody>('GET', '/ours/NOT_READY');
    expect(answer.status).to.equal(503);
    expect(answer.body.error).to.deep.equal({ code: 'NOT_READY', message: 'refused: NOT_READY', details: {} });
  });

  it('answers a code the catalogue does not have (data can carry one) 500, without its message', async function () {
    const served = await app();
    const answer = await served.request<ErrorBody>('GET', '/ours/SOMETHING_NEW');
    expect(answer.status).to.equal(500);
    expect(answer.body.error).to.deep.equal({ code: 'SOMETHING_NEW', message: GENERIC, details: {} });
  });

  it('answers an unknown throw 500 INTERNAL, hiding its message, and logs the message and the stack', async function () {
    const served = await app();
    for (const [path, message, kind] of [
      ['/crash', 'connection string postgres://admin:hunter2@db/prod is wrong', 'Error'],
      ['/crash-async', 'Cannot read properties of undefined (reading "secret_field")', 'TypeError'],
    ] as const) {
      const answer = await served.request<ErrorBody>('GET', path);
      expect(answer.status, path).to.equal(500);
      expect(answer.body, path).to.deep.equal({ error: { code: 'INTERNAL', message: GENERIC, details: {} } });
      const line = served.lines.find((l) => l.path === path);
      expect(line, path).to.deep.include({ level: 'error', message: 'request failed', method: 'GET', error: message });
      expect(line!.stack, path)
        .to.be.a('string')
        .and.satisfy((stack: string) => stack.startsWith(`${kind}: ${message}`) && stack.includes('error-boundary.test.ts'));
    }
    expect(served.lines).to.have.length(2);
  });

  it('answers a throw that is not an Error at all 500 INTERNAL too', async function () {
    const served = await app();
    const answer = await served.request<ErrorBody>('GET', '/throws-a-string');
    expect(answer.status).to.equal(500);
    expect(answer.body.error).to.deep.equal({ code: 'INTERNAL', message: GENERIC, details: {} });
    expect(served.lines.map((l) => l.message)).to.deep.equal(['request failed']);
  });

  it("answers a malformed percent-escape in a path parameter (the router's URIError) 400 INVALID_REQUEST, not 500", async function () {
    const served = await app();
    expect((await served.request('GET', '/items/caf%C3%A9')).body).to.deep.equal({ id: 'café' });
    for (const path of ['/items/%E0%A4%A', '/items/%ZZ', '/items/%']) {
      const answer = await served.request<ErrorBody>('GET', path);
      expect(answer.status, path).to.equal(400);
      expect(answer.body.error.code, path).to.equal('INVALID_REQUEST');
      expect(answer.body.error.details, path).to.deep.equal({ where: 'path', reason: 'undecodable' });
    }
    expect(served.lines).to.deep.equal([]);
  });

  it('answers a path no route serves 404 NOT_FOUND in JSON, naming the method and path', async function () {
    const served = await app();
    const answer = await served.request<ErrorBody>('DELETE', '/no/such/route');
    expect(answer.status).to.equal(404);
    expect(answer.contentType).to.match(/^application\/json/);
    expect(answer.body.error).to.deep.equal({
      code: 'NOT_FOUND',
      message: 'No route DELETE /no/such/route',
      details: { method: 'DELETE', path: '/no/such/route' },
    });
  });
});
