import { expect } from 'chai';
import pg from 'pg';
import { firstKeptDay, PostgresStore, startPartitionMaintenance } from '@vigil/stores';
import { POSTGRES_MIGRATIONS } from '../src/postgres/migrations';
import { fixtureId, predictionRecord, predictionRecords } from '../../../test/support/fixtures/prediction-records';
import { dropSchema, POSTGRES_URL, queryPostgres } from '../../../test/support/test-env';

const DAY = 86_400_000;
const quiet = { info: () => undefined, warn: () => undefined };

/** Every row of the audit, all columns as text (so the comparison sees exactly what Postgres holds), by id. */
async function allRows(schema: string): Promise<Record<string, string | null>[]> {
  return queryPostgres(
    `SELECT id::text, prediction_id::text, timestamp::text, model_version, features::text, prediction::text, probability::text,
            latency_ms::text, created_at::text, instance_id, seq::text, trace_id FROM "${schema}".predictions p ORDER BY p.id`,
  );
}

async function countPerPrediction(schema: string): Promise<number> {
  const rows = await queryPostgres<{ n: string }>(`SELECT max(n)::text AS n FROM (SELECT count(*) AS n FROM "${schema}".predictions GROUP BY prediction_id) c`);
  return Number(rows[0]?.n ?? 0);
}

/** An audit as it was at migration 8 (unpartitioned predictions), built the way migrate() builds one. */
async function auditAtVersion8(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA "${schema}"`);
    await client.query(`CREATE TABLE "${schema}".schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`);
    for (const migration of POSTGRES_MIGRATIONS.filter((m) => m.version <= 8)) {
      await client.query(migration.sql.replaceAll('{schema}', `"${schema}"`));
      await client.query(`INSERT INTO "${schema}".schema_migrations (version) VALUES ($1)`, [migration.version]);
    }
  } finally {
    await client.end();
  }
}

describe('Postgres audit partitioned by day', function () {
  const schemas: string[] = [];
  const schemaFor = (what: string) => {
    const schema = `test_parts_${what}_${process.pid}`;
    schemas.push(schema);
    return schema;
  };
  after(async () => {
    for (const schema of schemas) await dropSchema(schema);
  });

  it('creates a partitioned table with a partition per day, creates a missing day on demand, and adds a re-shipped page once', async function () {
    const schema = schemaFor('new');
    const store = await PostgresStore.open({ connectionString: POSTGRES_URL, schema });
    try {
      const kind = await queryPostgres<{ relkind: string }>(`SELECT relkind FROM pg_class WHERE oid = to_regclass($1)`, [`"${schema}".predictions`]);
      expect(kind[0]?.relkind).to.equal('p');
      // Three days, one of them years back: no partition exists for it until the page needs it.
      const page = [
        ...predictionRecords(3, { start: 0, fromMs: Date.UTC(2026, 10, 25, 23, 59, 59, 998) }),
        ...predictionRecords(2, { start: 10, fromMs: Date.UTC(2020, 0, 1, 12) }),
      ];
      expect(await store.insertBatch(page)).to.equal(5);
      expect(await store.partitionDays()).to.include.members(['2020-01-01', '2026-11-25', '2026-11-26']);
      // A partition holds its UTC day only: 23:59:59.998 on the 25th, 00:00:00.008 and .018 on the 26th.
      const perPartition = await queryPostgres<{ part: string; n: string }>(
        `SELECT tableoid::regclass::text AS part, count(*)::text AS n FROM "${schema}".predictions GROUP BY 1 ORDER BY 1`,
      );
      expect(perPartition.map((r) => [r.part.replace(`${schema}.`, ''), Number(r.n)])).to.deep.equal([
        ['predictions_p20200101', 2],
        ['predictions_p20261125', 1],
        ['predictions_p20261126', 2],
      ]);

      // The page again, with one new row: only that one is added, and rolled up, once.
      const again = [...page, predictionRecord({ prediction_id: fixtureId(99), timestamp: '2026-11-26T08:00:00.000Z', prediction: 1 })];
      expect(await store.insertBatch(again)).to.equal(1);
      expect(await store.insertBatch(again)).to.equal(0);
      expect(await countPerPrediction(schema)).to.equal(1);
      expect((await allRows(schema)).length).to.equal(6);
      const summary = await store.summarySince(0);
      expect(summary.fraud + summary.non_fraud).to.equal(6);

      // Every partition has its own indexes: the unique key and the timestamp one.
      const indexes = await queryPostgres<{ indexdef: string }>(
        `SELECT indexdef FROM pg_indexes WHERE schemaname = $1 AND tablename = 'predictions_p20200101'`,
        [schema],
      );
      expect(indexes.map((i) => i.indexdef.replace(/^.* USING btree /, '')).sort()).to.deep.equal(['("timestamp")', '(prediction_id, "timestamp")']);
    } finally {
      await store.close();
    }
  });

  it('migrates an unpartitioned audit into day partitions losing nothing, and stays idempotent after', async function () {
    const schema = schemaFor('migrate');
    await auditAtVersion8(schema);
    // Rows over four days, as an older audit holds them: some with instance, seq and trace id, some without.
    const old = predictionRecords(40, { start: 1000, fromMs: Date.UTC(2026, 10, 20, 18), stepMs: 2 * 3_600_000 });
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    try {
      for (const [i, r] of old.entries()) {
        await client.query(
          `INSERT INTO "${schema}".predictions
             (prediction_id, timestamp, model_version, features, prediction, probability, latency_ms, instance_id, seq, trace_id)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
          [
            r.prediction_id,
            r.timestamp,
            r.model_version,
            JSON.stringify(r.features),
            r.prediction,
            r.probability,
            r.latency_ms,
            i % 2 === 0 ? 'api-1' : null,
            i % 2 === 0 ? i : null,
            i % 3 === 0 ? '0af7651916cd43dd8448eb211c80319c' : null,
          ],
        );
      }
    } finally {
      await client.end();
    }
    const before = await allRows(schema);
    expect(before).to.have.length(40);

    const store = await PostgresStore.open({ connectionString: POSTGRES_URL, schema });
    try {
      const versions = await queryPostgres<{ version: number }>(`SELECT version FROM "${schema}".schema_migrations ORDER BY version`);
      expect(versions.map((v) => v.version)).to.deep.equal([1, 2, 3, 4, 5, 6, 7, 8, 9]);
      const kind = await queryPostgres<{ relkind: string }>(`SELECT relkind FROM pg_class WHERE oid = to_regclass($1)`, [`"${schema}".predictions`]);
      expect(kind[0]?.relkind).to.equal('p');
      expect(await queryPostgres(`SELECT 1 FROM pg_class WHERE oid = to_regclass($1)`, [`"${schema}".predictions_unpartitioned`])).to.have.length(0);
      // Every row, every column, unchanged; each in its day's partition.
      expect(await allRows(schema)).to.deep.equal(before);
      expect(await store.partitionDays()).to.include.members(['2026-11-20', '2026-11-21', '2026-11-22', '2026-11-23', '2026-11-24']);
      const misplaced = await queryPostgres(
        `SELECT 1 FROM "${schema}".predictions WHERE tableoid::regclass::text <> $1 || '.predictions_p' || to_char(timestamp AT TIME ZONE 'UTC', 'YYYYMMDD')`,
        [schema],
      );
      expect(misplaced).to.have.length(0);

      // Re-shipping the old rows adds none; a new row gets an id above every old one.
      expect(await store.insertBatch(old.slice(0, 10))).to.equal(0);
      const fresh = predictionRecord({ prediction_id: fixtureId(5000), timestamp: '2026-11-24T01:00:00.000Z' });
      expect(await store.insertBatch([...old.slice(30), fresh])).to.equal(1);
      const after = await allRows(schema);
      expect(after).to.have.length(41);
      expect(Number(after.at(-1)!.id)).to.be.greaterThan(Math.max(...before.map((r) => Number(r.id))));
      expect(await countPerPrediction(schema)).to.equal(1);
      // The old rows went in behind the rollups' back (inserted after migrations 2 to 4 backfilled them):
      // the rollups hold just the one new row, so the re-shipped rows were not rolled up again.
      const summary = await store.summarySince(0);
      expect(summary.fraud + summary.non_fraud).to.equal(1);
    } finally {
      await store.close();
    }
  });

  it('creates partitions ahead and drops only whole days older than the retention, keeping the rollups', async function () {
    const schema = schemaFor('retention');
    const store = await PostgresStore.open({ connectionString: POSTGRES_URL, schema });
    const now = Date.UTC(2026, 11, 2, 5, 30);
    try {
      // Rows on 40 days back to the day before: 31 days' retention keeps 2026-11-01 (its last row is
      // under 31 days old) and drops 2026-10-31 and older.
      for (let back = 40; back >= 1; back--) {
        await store.insertBatch(predictionRecords(3, { start: back * 10, fromMs: now - back * DAY, stepMs: 60_000 }));
      }
      const maintenance = startPartitionMaintenance({ store, retentionDays: 31, logger: quiet, intervalMs: 3_600_000, now: () => now });
      // The round the start ran, then one more: it finds nothing left to drop.
      const again = await maintenance.runOnce();
      await maintenance.stop();
      expect(again).to.deep.equal({ prepared: ['2026-12-02', '2026-12-03', '2026-12-04', '2026-12-05'], dropped: [] });
      expect(firstKeptDay(31, now)).to.equal('2026-11-01');
      const days = await store.partitionDays();
      expect(days).to.deep.equal([
        ...Array.from({ length: 30 }, (_, i) => `2026-11-${String(1 + i).padStart(2, '0')}`),
        '2026-12-01',
        '2026-12-02',
        '2026-12-03',
        '2026-12-04',
        '2026-12-05',
      ]);
      const oldest = await queryPostgres<{ t: Date }>(`SELECT min(timestamp) AS t FROM "${schema}".predictions`);
      expect(oldest[0]!.t.getTime()).to.be.greaterThan(now - 32 * DAY);
      // No row younger than 31 days went.
      const kept = await queryPostgres<{ n: string }>(`SELECT count(*)::text AS n FROM "${schema}".predictions WHERE timestamp >= $1`, [
        new Date(now - 31 * DAY).toISOString(),
      ]);
      expect(Number(kept[0]!.n)).to.equal(31 * 3);
      // The rollups still count every row shipped.
      const total = await store.summarySince(0);
      expect(total.fraud + total.non_fraud).to.equal(40 * 3);
    } finally {
      await store.close();
    }
  });

  it('recreates a partition another process dropped under it, rather than fail the shipper', async function () {
    const schema = schemaFor('late');
    const shipper = await PostgresStore.open({ connectionString: POSTGRES_URL, schema });
    const other = await PostgresStore.open({ connectionString: POSTGRES_URL, schema });
    try {
      expect(await shipper.insertBatch(predictionRecords(2, { start: 0, fromMs: Date.UTC(2026, 9, 1, 12) }))).to.equal(2);
      // Another worker's retention drops that day; this store still believes the partition is there.
      expect(await other.dropPartitionsBefore('2026-10-02')).to.deep.equal(['2026-10-01']);
      expect(await shipper.insertBatch(predictionRecords(3, { start: 2, fromMs: Date.UTC(2026, 9, 1, 13) }))).to.equal(3);
      expect(await shipper.partitionDays()).to.include('2026-10-01');
      expect((await allRows(schema)).length).to.equal(3);
    } finally {
      await shipper.close();
      await other.close();
    }
  });
});
