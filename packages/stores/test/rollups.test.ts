import { expect } from 'chai';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { MonitoringService, parseWindow } from '@vigil/monitoring';
import { LatencyHistogram, type StoredHistogramJSON } from '@vigil/rollups';
import type { PredictionRecord } from '@vigil/prediction-log';
import { PostgresStore, SqliteReader, SqliteWriter } from '@vigil/stores';
import { dropSchema, POSTGRES_URL, queryPostgres } from '../../../test/support/test-env';

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** 20,000 predictions over the last 3 days with a long-tailed latency (windows then span minutes, hours and days). */
function fixture(now: number): PredictionRecord[] {
  const random = mulberry32(11);
  return Array.from({ length: 20_000 }, (_, i) => ({
    prediction_id: `01900000-0000-7000-8000-${i.toString(16).padStart(12, '0')}`,
    timestamp: new Date(now - 5 * 60_000 - Math.floor(random() * 3 * 86_400_000)).toISOString(),
    model_version: i % 10 === 0 ? 'm@2' : 'm@1',
    features: { i },
    prediction: random() < 0.03 ? 1 : 0,
    probability: 0.5,
    latency_ms: random() < 0.98 ? 0.3 + random() * 2 : 20 + random() * 400,
  }));
}

/** Exact answers over the raw rows: what the rollups must reproduce. */
function exact(records: PredictionRecord[], sinceMs: number) {
  const inWindow = records.filter((r) => Date.parse(r.timestamp) >= sinceMs);
  const sorted = inWindow.map((r) => r.latency_ms).sort((a, b) => a - b);
  const q = (p: number) => {
    const rank = p * (sorted.length - 1);
    const low = Math.floor(rank);
    return sorted[low]! + (sorted[Math.min(low + 1, sorted.length - 1)]! - sorted[low]!) * (rank - low);
  };
  return { count: sorted.length, fraud: inWindow.filter((r) => r.prediction === 1).length, p50: q(0.5), p95: q(0.95), p99: q(0.99), max: sorted[sorted.length - 1]! };
}

describe('rollups', function () {
  this.timeout(60_000);
  const now = Date.now();
  const records = fixture(now);

  async function expectMatchesRows(service: MonitoringService) {
    for (const label of ['1h', '2h', '24h', '7d']) {
      const window = parseWindow(label);
      // Windows are whole minutes: the same boundary the service uses.
      const truth = exact(records, Math.floor((now - window.ms) / 60_000) * 60_000);
      const latency = await service.latency(window);
      const distribution = await service.distribution(window);
      expect(latency.count, label).to.equal(truth.count);
      expect(distribution.fraud, label).to.equal(truth.fraud);
      expect(latency.max, label).to.equal(truth.max);
      for (const key of ['p50', 'p95', 'p99'] as const) {
        const error = Math.abs(latency[key]! - truth[key]) / truth[key];
        expect(error, `${label} ${key}: ${latency[key]} vs exact ${truth[key]}`).to.be.lessThan(0.01);
      }
    }
  }

  it('SQLite: percentiles within 1% of the exact ones over the rows; counts exact; redelivery changes nothing', async function () {
    const path = join(mkdtempSync(join(tmpdir(), 'rollups-')), 'm.db');
    const writer = SqliteWriter.open(path);
    for (let i = 0; i < records.length; i += 500) writer.insertBatch(records.slice(i, i + 500));
    writer.insertBatch(records.slice(0, 500)); // a redelivered batch
    writer.close();
    const reader = SqliteReader.open(path);
    await expectMatchesRows(new MonitoringService(reader, () => now));
    await reader.close();
  });

  it('SQLite: rebuilds missing rollups from the rows at start-up', async function () {
    const path = join(mkdtempSync(join(tmpdir(), 'rollups-')), 'm.db');
    const writer = SqliteWriter.open(path);
    writer.insertBatch(records);
    writer.close();
    const db = new Database(path);
    db.exec('DELETE FROM rollup_minute; DELETE FROM rollup_hour; DELETE FROM rollup_day');
    db.close();
    SqliteWriter.open(path).close(); // the worker's start-up
    const reader = SqliteReader.open(path);
    await expectMatchesRows(new MonitoringService(reader, () => now));
    await reader.close();
  });

  it('SQLite: reads rollups stored in the sparse form (before the compact one) and merges new batches into them', async function () {
    const path = join(mkdtempSync(join(tmpdir(), 'rollups-')), 'm.db');
    const writer = SqliteWriter.open(path);
    for (let i = 0; i < 10_000; i += 500) writer.insertBatch(records.slice(i, i + 500));
    writer.close();
    const db = new Database(path);
    const tables = [['rollup_minute', 'minute'], ['rollup_hour', 'hour'], ['rollup_day', 'day']] as const;
    const formsOf = (table: string, database = db) =>
      database.prepare<[], { compact: number; sparse: number }>(`SELECT sum(latency LIKE '{"o":%') AS compact, sum(latency LIKE '{"b":%') AS sparse FROM ${table}`).get()!;
    // Rewrite every rollup as the previous version stored it.
    for (const [table, key] of tables) {
      expect(formsOf(table).sparse, `${table} is written compact`).to.equal(0);
      const rows = db.prepare<[], { key: number; model_version: string; latency: string }>(`SELECT ${key} AS key, model_version, latency FROM ${table}`).all();
      const update = db.prepare(`UPDATE ${table} SET latency = ? WHERE ${key} = ? AND model_version = ?`);
      for (const row of rows) {
        const sparse = LatencyHistogram.fromJSON(JSON.parse(row.latency) as StoredHistogramJSON).toJSON();
        update.run(JSON.stringify(sparse), row.key, row.model_version);
      }
      expect(formsOf(table).compact, `${table} rewritten sparse`).to.equal(0);
    }
    db.close();
    const more = SqliteWriter.open(path);
    for (let i = 10_000; i < records.length; i += 500) more.insertBatch(records.slice(i, i + 500));
    more.close();
    const reopened = new Database(path, { readonly: true });
    const minuteForms = formsOf('rollup_minute', reopened);
    reopened.close();
    // Both forms side by side: minutes the second half touched were rewritten compact, the others are still sparse.
    expect(minuteForms.compact).to.be.greaterThan(0);
    expect(minuteForms.sparse).to.be.greaterThan(0);
    const reader = SqliteReader.open(path);
    await expectMatchesRows(new MonitoringService(reader, () => now));
    await reader.close();
  });

  it('Postgres: the same answers, including rollups rebuilt by the migration for rows audited before it', async function () {
    const schema = `test_rollups_${process.pid}`;
    try {
      const store = await PostgresStore.open({ connectionString: POSTGRES_URL, schema });
      for (let i = 0; i < records.length; i += 5000) await store.insertBatch(records.slice(i, i + 5000));
      await store.insertBatch(records.slice(0, 5000)); // re-shipped
      await expectMatchesRows(new MonitoringService(store, () => now));
      await store.close();

      // Back to a schema from before rollups: migration 2 must rebuild them from the audited rows.
      await queryPostgres(`DROP TABLE "${schema}".rollup_minute, "${schema}".rollup_hour, "${schema}".rollup_day; DELETE FROM "${schema}".schema_migrations WHERE version IN (2, 3, 4)`);
      const migrated = await PostgresStore.open({ connectionString: POSTGRES_URL, schema });
      await expectMatchesRows(new MonitoringService(migrated, () => now));
      await migrated.close();
    } finally {
      await dropSchema(schema);
    }
  });
});
