import { expect } from 'chai';
import { createServer } from 'node:http';
import express, { type Request } from 'express';
import {
  createVigilLogger,
  recordPrediction,
  vigilMiddleware,
  type VigilLocal,
  type VigilLogger,
  type VigilMiddlewareOptions,
  type VigilResponse,
} from '@vigil/prediction-log';
import { listen, request } from '../../../test/support/http';
import { instanceDir, journaledRecords } from '../../../test/support/journal-dirs';
import { useTempDirs } from '../../../test/support/temp-dirs';
import { REDIS_URL } from '../../../test/support/test-env';
import { connected, queuedRecords, testQueueName } from './support/vigil-queue';

const features = { amount: 120, velocity: 2, card_present: true };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A model server as a user writes one: POST /predict behind the middleware records its
 * prediction and answers; ?status= answers with that status instead, after recording.
 */
function modelServer(logger: VigilLogger, options: Partial<VigilMiddlewareOptions<Request>> = {}) {
  const app = express();
  app.use(express.json());
  app.post('/predict', vigilMiddleware<Request>(logger, { modelVersion: 'mw-1', ...options }), async (req, res) => {
    await sleep(15); // the model's time, which latency_ms must include
    const prediction = req.body as VigilLocal;
    const prediction_id = options.extract === undefined ? recordPrediction(res, prediction) : undefined;
    res.status(Number(req.query.status ?? 200)).json({ prediction_id });
  });
  app.post('/by-hand', vigilMiddleware(logger, { modelVersion: 'mw-1' }), (req, res) => {
    res.locals.vigil = req.body;
    res.json({});
  });
  // Headers first, the body a while later: what a client has in hand before the response has finished.
  app.post('/streamed', vigilMiddleware(logger, { modelVersion: 'mw-1' }), async (req, res) => {
    const prediction_id = recordPrediction(res, req.body as VigilLocal);
    res.writeHead(200, { 'content-type': 'application/json', 'x-prediction-id': prediction_id }).flushHeaders();
    await sleep(300);
    res.end(JSON.stringify({ prediction_id }));
  });
  app.post('/nothing', vigilMiddleware(logger, { modelVersion: 'mw-1' }), (_req, res) => void res.json({}));
  return app;
}

describe('vigilMiddleware', function () {
  const tempDir = useTempDirs();
  const opened: { close(): Promise<void> }[] = [];
  afterEach(async function () {
    for (const thing of opened.splice(0).reverse()) await thing.close();
  });
  async function start(options: Partial<VigilMiddlewareOptions<Request>> = {}, logger?: VigilLogger) {
    const queueName = testQueueName('vigil-mw');
    const vigil = logger ?? (await connected(createVigilLogger({ redisUrl: REDIS_URL, queueName, journalDir: tempDir('vigil-mw'), maxBatchWaitMs: 5 })));
    opened.push(vigil);
    const server = await listen(modelServer(vigil, options));
    opened.push(server);
    return { vigil, queueName, port: server.port };
  }

  it('logs what the route recorded, under the id it answered with, with modelVersion and the measured latency', async function () {
    const { vigil, queueName, port } = await start();
    const answer = await request<{ prediction_id: string }>(port, 'POST', '/predict', { features, prediction: 1, probability: 0.8 });
    expect(answer.status).to.equal(200);
    await vigil.flush();
    const [record, ...others] = await queuedRecords(queueName);
    expect(others).to.have.length(0);
    expect(record).to.deep.include({ prediction_id: answer.body.prediction_id, model_version: 'mw-1', features, prediction: 1, probability: 0.8 });
    expect(record!.latency_ms).to.be.within(14, 5000);
  });

  it("keeps the prediction's own model_version, latency_ms and prediction_id", async function () {
    const { vigil, queueName, port } = await start();
    const own = { features, prediction: 0, probability: 0.1, model_version: 'own-2', latency_ms: 1.25, prediction_id: '0190a000-0000-7000-8000-000000000001' };
    expect((await request(port, 'POST', '/predict', own)).status).to.equal(200);
    await vigil.flush();
    const records = await queuedRecords(queueName);
    expect(records).to.have.length(1);
    expect(records[0]).to.deep.include(own);
  });

  it('logs res.locals.vigil set by hand, and nothing for a route that sets none', async function () {
    const { vigil, queueName, port } = await start();
    await request(port, 'POST', '/nothing', {});
    await request(port, 'POST', '/by-hand', { features, prediction: 1, probability: 0.6 });
    await vigil.flush();
    expect((await queuedRecords(queueName)).map((r) => [r.model_version, r.probability])).to.deep.equal([['mw-1', 0.6]]);
  });

  it('logs nothing for an answer that is not 2xx: the client got no prediction', async function () {
    const { vigil, queueName, port } = await start();
    for (const status of [400, 422, 500, 302])
      expect((await request(port, 'POST', `/predict?status=${status}`, { features, prediction: 1, probability: 0.8 })).status).to.equal(status);
    expect((await request(port, 'POST', '/predict?status=201', { features, prediction: 1, probability: 0.7 })).status).to.equal(201);
    await vigil.flush();
    expect((await queuedRecords(queueName)).map((r) => r.probability)).to.deep.equal([0.7]);
  });

  it('takes the trace id from a valid traceparent header, and ignores an invalid one', async function () {
    const { vigil, queueName, port } = await start();
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const sent = { features, prediction: 1, probability: 0.5 };
    await request(port, 'POST', '/predict', sent, { traceparent: `00-${traceId}-00f067aa0ba902b7-01` });
    await request(port, 'POST', '/predict', sent, { traceparent: `00-${'0'.repeat(32)}-00f067aa0ba902b7-01` });
    await request(port, 'POST', '/predict', sent);
    await vigil.flush();
    expect((await queuedRecords(queueName)).map((r) => r.trace_id)).to.deep.equal([traceId, undefined, undefined]);
  });

  it('reads the prediction with extract when given one', async function () {
    const { vigil, queueName, port } = await start({ extract: (req) => ({ ...(req.body as VigilLocal), probability: 0.33 }) });
    await request(port, 'POST', '/predict', { features, prediction: 0, probability: 0.9 });
    await vigil.flush();
    expect((await queuedRecords(queueName)).map((r) => r.probability)).to.deep.equal([0.33]);
  });

  it('answers all the same when the prediction cannot be logged, and hands the error to onError', async function () {
    const errors: Error[] = [];
    const { vigil, queueName, port } = await start({ onError: (error) => errors.push(error) });
    const answer = await request(port, 'POST', '/predict', { features, prediction: 1, probability: 1.7 });
    expect(answer.status).to.equal(200);
    await vigil.flush();
    expect(errors.map((e) => e.message)).to.deep.equal(['vigil: probability is not in [0, 1]']);
    expect(await queuedRecords(queueName)).to.deep.equal([]);
  });

  it('has the record in the journal before the client has the headers of the answer (Redis down)', async function () {
    const dir = tempDir('vigil-mw-down');
    const vigil = createVigilLogger({ redisUrl: 'redis://127.0.0.1:1', queueName: testQueueName('vigil-mw'), journalDir: dir });
    const { port } = await start({}, vigil);
    const body = JSON.stringify({ features, prediction: 1, probability: 0.8 });
    const response = await fetch(`http://127.0.0.1:${port}/streamed`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    // fetch resolves on the headers; the body is still 300 ms away, so the response has not finished.
    const id = response.headers.get('x-prediction-id');
    expect(journaledRecords(instanceDir(dir, vigil.instanceId)).map((r) => r.prediction_id)).to.deep.equal([id]);
    expect(await response.json()).to.deep.equal({ prediction_id: id });
  });

  it('works on plain node:http with an explicit writeHead', async function () {
    const queueName = testQueueName('vigil-mw');
    const vigil = await connected(createVigilLogger({ redisUrl: REDIS_URL, queueName, journalDir: false, maxBatchWaitMs: 5 }));
    opened.push(vigil);
    const middleware = vigilMiddleware(vigil, { modelVersion: 'plain-1' });
    const server = createServer((req, res) => {
      const response = Object.assign(res, { locals: {} }) satisfies VigilResponse;
      middleware(req, response, () => {
        recordPrediction(response, { features, prediction: 0, probability: 0.2 });
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    const listening = await listen(server);
    opened.push(listening);
    expect((await request(listening.port, 'GET', '/')).status).to.equal(200);
    await vigil.flush();
    expect((await queuedRecords(queueName)).map((r) => r.model_version)).to.deep.equal(['plain-1']);
  });

  it('refuses options without a modelVersion', function () {
    const vigil = { log: () => '' };
    expect(() => vigilMiddleware(vigil, { modelVersion: '' })).to.throw(TypeError, /modelVersion must be a non-empty string/);
  });
});
