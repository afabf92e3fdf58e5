import { expect } from 'chai';
import type { Redis } from 'ioredis';
import { loadConfig } from '@vigil/config';
import { createPredictionLogger, LOG_BATCH_DEFAULTS } from '@vigil/prediction-log';
import { newPredictionId, type PredictionRecord } from '@vigil/records';

const record = (): PredictionRecord => ({
  prediction_id: newPredictionId(),
  timestamp: new Date().toISOString(),
  model_version: 'm@1',
  features: { amount: 1 },
  prediction: 0,
  probability: 0.25,
  latency_ms: 0.5,
});

describe('createPredictionLogger defaults', function () {
  it('has the batch limits of the API configuration (LOG_BATCH_MAX_RECORDS, LOG_BATCH_MAX_WAIT_MS)', function () {
    const config = loadConfig({});
    expect(LOG_BATCH_DEFAULTS).to.deep.equal({ maxRecords: config.logBatchMaxRecords, maxWaitMs: config.logBatchMaxWaitMs });
  });

  it('flushes a batch the default wait after its first record', async function () {
    // Never connected, so each batch fails at once and, with no spool, is reported dropped: that marks the flush.
    const connection = { status: 'wait', options: { enableOfflineQueue: false } } as unknown as Redis;
    let dropped: (ms: number) => void = () => undefined;
    const flushedAfter = new Promise<number>((resolve) => (dropped = resolve));
    const started = performance.now();
    const logger = createPredictionLogger({ connection, queueName: 'defaults-test', events: { dropped: () => dropped(performance.now() - started) } });
    logger.log(record());
    const ms = await flushedAfter;
    await logger.close();
    expect(ms).to.be.at.least(LOG_BATCH_DEFAULTS.maxWaitMs - 5).and.below(LOG_BATCH_DEFAULTS.maxWaitMs + 2000);
  });
});
