// The child process of test/integration/prediction-journal.test.ts: a logger that journals records and is
// SIGKILLed (by itself) the moment its last log() has returned, as an API replica killed under load.
import { once } from 'node:events';
import { Redis } from 'ioredis';
import { createPredictionLogger } from '@vigil/prediction-log';
import { predictionRecords } from '../../support/fixtures/prediction-records';

const [redisUrl, spoolDir, queueName, instanceId, before, after] = process.argv.slice(2) as [string, string, string, string, string, string];
const connection = new Redis(redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
connection.on('error', () => undefined);
await once(connection, 'ready');
const logger = createPredictionLogger({
  connection,
  queueName,
  instanceId,
  maxBatchRecords: 100,
  maxBatchWaitMs: 60_000,
  journal: { dir: spoolDir, maxBytes: 64 * 1024 * 1024 },
});
const records = predictionRecords(Number(before) + Number(after));
// The first ones have time to reach Redis (and leave the journal); the rest are in flight or in the open segment when the kill comes.
for (const record of records.slice(0, Number(before))) logger.log(record);
await new Promise((resolve) => setTimeout(resolve, 500));
for (const record of records.slice(Number(before))) logger.log(record);
process.kill(process.pid, 'SIGKILL');
