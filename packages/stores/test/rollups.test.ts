import { expect } from 'chai';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { MonitoringService } from '@vigil/monitoring';
import { LatencyHistogram, type StoredHistogramJSON } from '@vigil/rollups';
import { SqliteReader, SqliteWriter } from '@vigil/stores';
import { expectMatchesRows, fixture } from './support/rollup-fixture';

// The Postgres store's rollups: test/integration/postgres-rollups.test.ts (it needs a Postgres).
describe('rollups', function () {
  this.timeout(60_000);
  const now = Date.now();
  const records = fixture(now);

  it('SQLite: percentiles within 1% of the exact ones over the rows; counts exact; redelivery changes nothing', async function () {
    const path = join(mkdtempSync(join(tmpdir(), 'rollups-')), 'm.db');
    const writer = SqliteWriter.open(path);
    for (let i = 0; i < records.length; i += 500) writer.insertBatch(records.slice(i, i + 500));
    writer.insertBatch(records.slice(0, 500)); // a redelivered batch
    writer.close();
    const reader = SqliteReader.open(path);
    await expectMatchesRows(new MonitoringService(reader, () => now), records, now);
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
    await expectMatchesRows(new MonitoringService(reader, () => now), records, now);
    await reader.close();
  });

  it('SQLite: reads rollups stored in the sparse form (before the compact one) and merges new batches into them', async function () {
    const path = join(mkdtempSync(join(tmpdir(), 'rollups-')), 'm.db');
    const writer = SqliteWriter.open(path);
    for (let i = 0; i < 10_000; i += 500) writer.insertBatch(records.slice(i, i + 500));
    writer.close();
    const db = new Database(path);
    const tables = [
      ['rollup_minute', 'minute'],
      ['rollup_hour', 'hour'],
      ['rollup_day', 'day'],
    ] as const;
    const formsOf = (table: string, database = db) =>
      database
        .prepare<[], { compact: number; sparse: number }>(`SELECT sum(latency LIKE '{"o":%') AS compact, sum(latency LIKE '{"b":%') AS sparse FROM ${table}`)
        .get()!;
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
    await expectMatchesRows(new MonitoringService(reader, () => now), records, now);
    await reader.close();
  });
});
