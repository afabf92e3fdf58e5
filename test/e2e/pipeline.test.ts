import { expect } from 'chai';
import Database from 'better-sqlite3';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { LOG_BATCH_JOB } from '@vigil/queue';
import { fixtureId, predictionRecord } from '../support/fixtures/prediction-records';
import { request } from '../support/http';
import { startStack, type Stack } from '../support/stack';
import { queryPostgres, referenceInstances, testConfig, waitFor } from '../support/test-env';

interface PredictResponse {
  prediction_id: string;
  model_version: string;
  prediction: 0 | 1;
  probability: number;
  latency_ms: number;
}

interface SqliteRow {
  prediction_id: string;
  timestamp: string;
  model_version: string;
  features: string;
  prediction: number;
  probability: number;
  latency_ms: number;
}

interface PostgresRow {
  prediction_id: string;
  timestamp: Date;
  model_version: string;
  features: Record<string, unknown>;
  prediction: number;
  probability: number;
  latency_ms: number;
}

describe('prediction pipeline over real Redis, SQLite and Postgres', function () {
  let stack: Stack;
  let sqlite: Database.Database;

  before(async function () {
    stack = await startStack(testConfig());
    sqlite = new Database(stack.config.sqlitePath, { readonly: true });
  });
  after(async function () {
    sqlite?.close();
    await stack?.close();
  });

  const sqliteRows = (ids: readonly string[]): SqliteRow[] =>
    sqlite.prepare<[string], SqliteRow>('SELECT * FROM predictions WHERE prediction_id IN (SELECT value FROM json_each(?))').all(JSON.stringify(ids));
  const postgresRows = (ids: readonly string[]): Promise<PostgresRow[]> =>
    queryPostgres<PostgresRow>(`SELECT * FROM "${stack.config.auditSchema}".predictions WHERE prediction_id = ANY($1::uuid[])`, [ids]).catch(
      (error: { code?: string }) => {
        if (error.code === '42P01') return []; // the shipper has not created the audit table yet
        throw error;
      },
    );

  it('stores a prediction made over HTTP exactly once in SQLite and in Postgres, with the same fields', async function () {
    const [features] = referenceInstances(1);
    const response = await request<PredictResponse>(stack.api.port, 'POST', '/predict', { features });
    expect(response.status).to.equal(200);
    const answer = response.body;
    expect(answer.prediction_id).to.match(/^[0-9a-f-]{36}$/);
    expect(answer.model_version).to.match(/^fraud-detection-model@/);
    expect([0, 1]).to.include(answer.prediction);
    expect(answer.probability).to.be.within(0, 1);
    expect(answer.latency_ms).to.be.greaterThan(0);

    const [row] = await waitFor('the SQLite row', () => {
      const rows = sqliteRows([answer.prediction_id]);
      return rows.length > 0 ? rows : undefined;
    });
    const pgRows = await waitFor('the Postgres row', async () => {
      const rows = await postgresRows([answer.prediction_id]);
      return rows.length > 0 ? rows : undefined;
    });
    expect(sqliteRows([answer.prediction_id])).to.have.length(1);
    expect(pgRows).to.have.length(1);
    const pgRow = pgRows[0]!;

    for (const stored of [
      { ...row!, features: JSON.parse(row!.features) as unknown },
      { ...pgRow, timestamp: pgRow.timestamp.toISOString() },
    ]) {
      expect(stored.prediction_id).to.equal(answer.prediction_id);
      expect(stored.model_version).to.equal(answer.model_version);
      expect(stored.prediction).to.equal(answer.prediction);
      expect(stored.probability).to.equal(answer.probability);
      expect(stored.latency_ms).to.equal(answer.latency_ms);
      expect(stored.features).to.deep.equal(features);
      expect(Date.parse(stored.timestamp)).to.be.closeTo(Date.now(), 60_000);
    }
    expect(pgRow.timestamp.toISOString()).to.equal(row!.timestamp);
  });

  it('logs each instance of a batch request as its own prediction', async function () {
    const instances = referenceInstances(25, 10);
    const response = await request<{ model_version: string; predictions: PredictResponse[] }>(stack.api.port, 'POST', '/predict', { instances });
    expect(response.status).to.equal(200);
    const ids = response.body.predictions.map((p) => p.prediction_id);
    expect(new Set(ids).size).to.equal(25);
    const rows = await waitFor('25 SQLite rows', () => {
      const found = sqliteRows(ids);
      return found.length === 25 ? found : undefined;
    });
    const byId = new Map(rows.map((r) => [r.prediction_id, r]));
    response.body.predictions.forEach((p, i) => {
      const row = byId.get(p.prediction_id)!;
      expect(JSON.parse(row.features)).to.deep.equal(instances[i]);
      expect(row.probability).to.equal(p.probability);
    });
    await waitFor('25 Postgres rows', async () => ((await postgresRows(ids)).length === 25 ? true : undefined));
  });

  it('leaves one row when the same batch is delivered twice', async function () {
    const connection = new Redis(stack.config.redisUrl, { maxRetriesPerRequest: null });
    const queue = new Queue(stack.config.queueName, { connection });
    try {
      const record = predictionRecord({ prediction_id: fixtureId(0xabcd), prediction: 1, probability: 0.75, latency_ms: 1.5 });
      // Two distinct jobs carrying the same record: what an at-least-once queue does after a lost ack.
      await queue.add(LOG_BATCH_JOB.name, { v: 1, records: [record] }, { jobId: 'dup-a' });
      await queue.add(LOG_BATCH_JOB.name, { v: 1, records: [record] }, { jobId: 'dup-b' });
      const completed = async (id: string) => (await (await queue.getJob(id))?.isCompleted()) === true;
      await waitFor('both jobs to complete', async () => ((await completed('dup-a')) && (await completed('dup-b')) ? true : undefined));
      await stack.worker.shipper!.drain();
      expect(sqliteRows([record.prediction_id])).to.have.length(1);
      expect(await postgresRows([record.prediction_id])).to.have.length(1);
    } finally {
      await queue.close();
      connection.disconnect();
    }
  });
});
