import { expect } from 'chai';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { PredictionRecord } from '@vigil/prediction-log';
import { AuditShipper, PostgresStore, SqliteWriter } from '@vigil/stores';
import { SQLITE_MIGRATIONS } from '../src/sqlite/migrations';
import { ShippedPrefix } from '../src/shipped-prefix';
import { dropSchema, POSTGRES_URL, queryPostgres } from '../../../test/support/test-env';

function records(count: number, start: number): PredictionRecord[] {
  return Array.from({ length: count }, (_, i) => ({
    prediction_id: `01900000-0000-7000-8000-${(start + i).toString(16).padStart(12, '0')}`,
    timestamp: new Date(Date.UTC(2026, 10, 27, 10, 0, 0) + (start + i) * 10).toISOString(),
    model_version: 'm@1',
    features: { amount: start + i },
    prediction: (start + i) % 7 === 0 ? 1 : 0,
    probability: ((start + i) % 100) / 100,
    latency_ms: 0.5 + ((start + i) % 50) / 10,
  }));
}

function tempDb(): string {
  return join(mkdtempSync(join(tmpdir(), 'shipper-')), 'm.db');
}

describe('AuditShipper', function () {
  const schema = `test_shipper_${process.pid}`;
  after(() => dropSchema(schema));

  it('ships a backlog with pages in flight side by side: every row exactly once, rollups exact, progress at the last id', async function () {
    const writer = SqliteWriter.open(tempDb());
    const written = records(12_345, 0);
    for (let i = 0; i < written.length; i += 500) writer.insertBatch(written.slice(i, i + 500));
    const store = await PostgresStore.open({ connectionString: POSTGRES_URL, schema });
    const pages: number[] = [];
    const shipper = new AuditShipper(writer, store, { batchSize: 1000, parallelPages: 2, events: { shipped: (rows) => pages.push(rows) } });
    await shipper.drain();

    expect(pages.reduce((a, b) => a + b, 0)).to.equal(12_345);
    expect(pages).to.have.length(13);
    const ids = await queryPostgres<{ prediction_id: string }>(`SELECT prediction_id FROM "${schema}".predictions ORDER BY prediction_id`);
    expect(ids.map((row) => row.prediction_id)).to.deep.equal(written.map((r) => r.prediction_id));
    const [rollup] = await queryPostgres<{ fraud: string; non_fraud: string }>(`SELECT sum(fraud) AS fraud, sum(non_fraud) AS non_fraud FROM "${schema}".rollup_day`);
    const fraud = written.filter((r) => r.prediction === 1).length;
    expect([Number(rollup!.fraud), Number(rollup!.non_fraud)]).to.deep.equal([fraud, 12_345 - fraud]);
    expect(writer.shippedThrough()).to.equal(12_345);
    expect(writer.auditBacklog().count).to.equal(0);

    // New rows after the drain ship next time, and only they.
    writer.insertBatch(records(10, 20_000));
    expect(writer.auditBacklog().count).to.equal(10);
    await shipper.drain();
    expect(writer.shippedThrough()).to.equal(12_355);
    const [count] = await queryPostgres<{ n: string }>(`SELECT count(*) AS n FROM "${schema}".predictions`);
    expect(Number(count!.n)).to.equal(12_355);
    writer.close();
    await store.close();
  });

  it('migration 6 starts the progress just below the first row the old audited flag had not shipped', function () {
    const path = tempDb();
    const db = new Database(path);
    db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
    for (const migration of SQLITE_MIGRATIONS.filter((m) => m.version <= 5)) {
      db.exec(migration.sql);
      db.prepare('INSERT INTO schema_migrations VALUES (?, ?)').run(migration.version, new Date().toISOString());
    }
    const insert = db.prepare('INSERT INTO predictions (prediction_id, timestamp, model_version, features, prediction, probability, latency_ms, audited) VALUES (?, ?, ?, ?, 0, 0.1, 1, ?)');
    // Rows 1-40 shipped, 41 not, 42 shipped (a page re-shipped out of order), 43-50 not.
    for (let id = 1; id <= 50; id++) insert.run(`p-${id}`, new Date(Date.UTC(2026, 0, 1, 0, 0, id)).toISOString(), 'm@1', '{}', id <= 40 || id === 42 ? 1 : 0);
    db.close();

    const writer = SqliteWriter.open(path);
    expect(writer.shippedThrough()).to.equal(40);
    expect(writer.unaudited(100).map((row) => row.prediction_id)).to.deep.equal(Array.from({ length: 10 }, (_, i) => `p-${41 + i}`));
    writer.close();
    const indexes = new Database(path, { readonly: true }).prepare("SELECT name FROM pragma_index_list('predictions')").pluck().all();
    expect(indexes).to.not.include('predictions_unaudited'); // no index left to maintain on every insert
  });
});

describe('ShippedPrefix', function () {
  it('moves only to the end of the run of committed pages from the first one', function () {
    const prefix = new ShippedPrefix();
    const [a, b, c] = [prefix.issue(10), prefix.issue(20), prefix.issue(30)];
    expect(prefix.commit(b)).to.equal(undefined); // a is still open: 11-20 shipped says nothing about 1-10
    expect(prefix.commit(a)).to.equal(20);
    const d = prefix.issue(40);
    expect(prefix.commit(d)).to.equal(undefined);
    expect(prefix.commit(c)).to.equal(40);
  });

  it('never moves past a page that did not commit', function () {
    const prefix = new ShippedPrefix();
    const [a, , c] = [prefix.issue(10), prefix.issue(20), prefix.issue(30)];
    expect(prefix.commit(a)).to.equal(10);
    expect(prefix.commit(c)).to.equal(undefined);
  });
});
