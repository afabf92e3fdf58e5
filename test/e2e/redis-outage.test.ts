import { expect } from 'chai';
import Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApi } from '../../apps/api/src/start-api';
import { request } from '../support/http';
import { metricValue } from '../support/metrics-text';
import { PrivateRedis } from '../support/private-redis';
import { startStack, type Stack } from '../support/stack';
import { queryPostgres, referenceInstances, testConfig, waitFor } from '../support/test-env';

describe('Redis outage: predictions keep flowing, records wait in the disk spool, none is lost', function () {
  this.timeout(120_000);
  let redis: PrivateRedis;
  let stack: Stack;

  before(async function () {
    redis = await PrivateRedis.start();
    stack = await startStack(testConfig({ REDIS_URL: redis.url, SPOOL_DIR: mkdtempSync(join(tmpdir(), 'vigil-spool-')) }));
  });
  after(async function () {
    await stack?.close();
    await redis?.stop();
  });

  it('answers every prediction while Redis is down, spools the records, and replays them all once it is back, across an API restart', async function () {
    const ids: string[] = [];
    const predict = async (count: number, offset: number) => {
      for (let i = 0; i < count; i += 10) {
        const response = await request<{ predictions: { prediction_id: string }[] }>(stack.api.port, 'POST', '/predict', {
          instances: referenceInstances(10, offset + i),
        });
        expect(response.status).to.equal(200);
        ids.push(...response.body.predictions.map((p) => p.prediction_id));
      }
    };

    await predict(50, 0);
    // This Redis keeps nothing on disk, so a batch still waiting in it when it dies is gone
    // (the README's durability section): let the worker take the first 50 before the outage.
    const stored = new Database(stack.config.sqlitePath, { readonly: true });
    try {
      await waitFor('the first 50 predictions in SQLite', () => (stored.prepare('SELECT count(*) FROM predictions').pluck().get() === 50 ? true : undefined));
    } finally {
      stored.close();
    }
    await redis.stop();
    await predict(300, 50);
    const metrics = (await request<string>(stack.api.port, 'GET', '/metrics')).body;
    expect(metricValue(metrics, 'vigil_log_records_spooled_total')).to.be.greaterThan(0);
    expect(metricValue(metrics, 'vigil_log_records_dropped_total')).to.equal(0);

    // Restart the API while Redis is still down: the spool is on disk and the new API replays it.
    const api = (stack as { api: typeof stack.api }).api;
    await api.close();
    const restarted = await startApi(stack.config);
    (stack as { api: typeof stack.api }).api = restarted;
    await predict(50, 350);

    await redis.start();
    const db = new Database(stack.config.sqlitePath, { readonly: true });
    try {
      const count = () =>
        db
          .prepare<[string], { n: number; distinct_ids: number }>(
            'SELECT count(*) AS n, count(DISTINCT prediction_id) AS distinct_ids FROM predictions WHERE prediction_id IN (SELECT value FROM json_each(?))',
          )
          .get(JSON.stringify(ids))!;
      await waitFor('every prediction in SQLite', () => (count().n === ids.length ? true : undefined), 60_000);
      expect(count()).to.deep.equal({ n: 400, distinct_ids: 400 });
      expect(db.prepare('SELECT count(*) FROM predictions').pluck().get()).to.equal(400);
    } finally {
      db.close();
    }
    await stack.worker.shipper!.drain();
    const rows = await queryPostgres<{ n: string; d: string }>(
      `SELECT count(*) AS n, count(DISTINCT prediction_id) AS d FROM "${stack.config.auditSchema}".predictions`,
    );
    expect(rows[0]).to.deep.equal({ n: '400', d: '400' });
    const after = (await request<string>(restarted.port, 'GET', '/metrics')).body;
    expect(metricValue(after, 'vigil_spool_bytes')).to.equal(0);
  });
});
