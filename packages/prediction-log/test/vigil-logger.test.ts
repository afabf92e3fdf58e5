import { expect } from 'chai';
import { Redis } from 'ioredis';
import { createVigilLogger, type VigilLogger, type VigilPrediction } from '@vigil/prediction-log';
import { instanceDir, journaledRecords } from '../../../test/support/journal-dirs';
import { useTempDirs } from '../../../test/support/temp-dirs';
import { REDIS_URL } from '../../../test/support/test-env';
import { connected, queuedRecords, testQueueName } from './support/vigil-queue';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const scored: VigilPrediction = {
  features: { amount: 412.5, velocity: 3, card_present: false, merchant_category: 'online' },
  prediction: 1,
  probability: 0.91,
  model_version: 'm-1',
};

describe('createVigilLogger', function () {
  const tempDir = useTempDirs();
  let logger: VigilLogger | undefined;
  afterEach(async function () {
    await logger?.close();
    logger = undefined;
  });

  it('logs a prediction as a log-batch job the worker parses, with the defaults filled in', async function () {
    const name = testQueueName('vigil-logger');
    logger = await connected(createVigilLogger({ redisUrl: REDIS_URL, queueName: name, journalDir: tempDir('vigil-logger'), maxBatchWaitMs: 5 }));
    const before = Date.now();
    const id = logger.log(scored);
    await logger.flush();
    expect(id).to.match(UUID_V7);
    const [record, ...others] = await queuedRecords(name);
    expect(others).to.have.length(0);
    expect(record).to.deep.include({ ...scored, prediction_id: id, latency_ms: 0, instance_id: logger.instanceId, seq: 1 });
    expect(Date.parse(record!.timestamp)).to.be.within(before, Date.now());
    expect(record!.timestamp).to.equal(new Date(record!.timestamp).toISOString());
  });

  it('keeps a given prediction_id (lower-cased), timestamp (normalised to UTC), latency and trace id', async function () {
    const name = testQueueName('vigil-logger');
    logger = await connected(createVigilLogger({ redisUrl: REDIS_URL, queueName: name, journalDir: false, maxBatchWaitMs: 5 }));
    const given = '0190A000-0000-7000-8000-00000000002A';
    const trace_id = '4bf92f3577b34da6a3ce929d0e0e4736';
    expect(logger.log({ ...scored, prediction_id: given, timestamp: '2026-03-01T12:00:00+02:00', latency_ms: 3.5, trace_id })).to.equal(given.toLowerCase());
    expect(logger.log({ ...scored, timestamp: new Date(Date.UTC(2026, 2, 1, 10, 0, 1)) })).to.match(UUID_V7);
    await logger.flush();
    const records = await queuedRecords(name);
    expect(records.map((r) => [r.prediction_id === given.toLowerCase(), r.timestamp, r.latency_ms, r.seq, r.trace_id])).to.deep.equal([
      [true, '2026-03-01T10:00:00.000Z', 3.5, 1, trace_id],
      [false, '2026-03-01T10:00:01.000Z', 0, 2, undefined],
    ]);
  });

  it('copies the features: changing the object after log() changes nothing logged', async function () {
    const name = testQueueName('vigil-logger');
    logger = await connected(createVigilLogger({ redisUrl: REDIS_URL, queueName: name, journalDir: false, maxBatchWaitMs: 5 }));
    const features: Record<string, number> = { amount: 1 };
    logger.log({ ...scored, features });
    features.amount = 2;
    await logger.flush();
    expect((await queuedRecords(name)).map((r) => r.features)).to.deep.equal([{ amount: 1 }]);
  });

  const refused: [string, Record<string, unknown>, RegExp][] = [
    ['a probability above 1', { probability: 1.5 }, /probability is not in \[0, 1\]/],
    ['a class other than 0 or 1', { prediction: 2 }, /prediction is not 0 or 1/],
    ['features as an array', { features: [1, 2] }, /features is not an object/],
    ['a NaN feature', { features: { amount: Number.NaN } }, /features\.amount is not a finite number/],
    ['an object as a feature value', { features: { nested: { a: 1 } } }, /features\.nested is not a finite number, a boolean or a string/],
    ['an empty model_version', { model_version: '' }, /model_version is empty/],
    ['a timestamp without a zone', { timestamp: '2026-03-01 12:00' }, /timestamp is not a valid Date/],
    ['an invalid Date', { timestamp: new Date('nope') }, /timestamp is not a valid Date/],
    ['a prediction_id that is no UUID', { prediction_id: 'order-17' }, /prediction_id is not a UUID/],
    ['a negative latency', { latency_ms: -1 }, /latency_ms is not a finite number >= 0/],
    ['a trace id that is not 32 lowercase hex digits', { trace_id: '4BF92F3577B34DA6A3CE929D0E0E4736' }, /trace_id is not 32 lowercase hex digits/],
  ];
  for (const [what, change, message] of refused) {
    it(`refuses ${what} with a TypeError naming the field, and logs nothing`, function () {
      const dir = tempDir('vigil-logger-refused');
      logger = createVigilLogger({ redisUrl: 'redis://127.0.0.1:1', queueName: 'refused', journalDir: dir });
      expect(() => logger!.log({ ...scored, ...change } as unknown as VigilPrediction)).to.throw(TypeError, message);
      expect(journaledRecords(instanceDir(dir, logger.instanceId))).to.deep.equal([]);
    });
  }

  it('refuses options without a Redis, with two, or without a queue name', function () {
    const connection = new Redis(REDIS_URL, { lazyConnect: true });
    expect(() => createVigilLogger({ queueName: 'q' } as never)).to.throw(TypeError, /either redisUrl or connection/);
    expect(() => createVigilLogger({ queueName: 'q', redisUrl: REDIS_URL, connection } as never)).to.throw(TypeError, /either redisUrl or connection/);
    expect(() => createVigilLogger({ queueName: '', redisUrl: REDIS_URL })).to.throw(TypeError, /queueName must be a non-empty string/);
    connection.disconnect();
  });

  it('with Redis down, journals the record before log() returns, and health() says Redis is down', async function () {
    const dir = tempDir('vigil-logger-down');
    logger = createVigilLogger({ redisUrl: 'redis://127.0.0.1:1', queueName: testQueueName('vigil-logger'), journalDir: dir });
    const started = performance.now();
    const id = logger.log(scored);
    expect(performance.now() - started).to.be.below(50);
    expect(journaledRecords(instanceDir(dir, logger.instanceId)).map((r) => r.prediction_id)).to.deep.equal([id]);
    expect(logger.health()).to.deep.include({ redis: 'down', journalWritable: true, full: false });
  });

  it("leaves a connection it was given open on close(), and the record reaches that connection's Redis", async function () {
    const name = testQueueName('vigil-logger');
    const connection = new Redis(REDIS_URL, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    await new Promise((resolve) => connection.once('ready', resolve));
    const given = createVigilLogger({ connection, queueName: name, journalDir: false, maxBatchWaitMs: 5 });
    const id = given.log(scored);
    await given.close();
    expect(connection.status).to.equal('ready');
    expect((await queuedRecords(name)).map((r) => r.prediction_id)).to.deep.equal([id]);
    connection.disconnect();
  });
});
