import { MonitoringService } from '@vigil/monitoring';
import { PostgresStore } from '@vigil/stores';
import { expectMatchesRows, fixture } from '../../packages/stores/test/support/rollup-fixture';
import { dropSchema, POSTGRES_URL, queryPostgres } from '../support/test-env';

// The SQLite store's rollups, over the same fixture: packages/stores/test/rollups.test.ts.
describe('rollups (Postgres)', function () {
  this.timeout(60_000);
  const now = Date.now();
  const records = fixture(now);

  it('Postgres: the same answers, including rollups rebuilt by the migration for rows audited before it', async function () {
    const schema = `test_rollups_${process.pid}`;
    try {
      const store = await PostgresStore.open({ connectionString: POSTGRES_URL, schema });
      for (let i = 0; i < records.length; i += 5000) await store.insertBatch(records.slice(i, i + 5000));
      await store.insertBatch(records.slice(0, 5000)); // re-shipped
      await expectMatchesRows(new MonitoringService(store, () => now), records, now);
      await store.close();

      // Back to a schema from before rollups: migration 2 must rebuild them from the audited rows.
      await queryPostgres(
        `DROP TABLE "${schema}".rollup_minute, "${schema}".rollup_hour, "${schema}".rollup_day; ` +
          `DELETE FROM "${schema}".schema_migrations WHERE version IN (2, 3, 4)`,
      );
      const migrated = await PostgresStore.open({ connectionString: POSTGRES_URL, schema });
      await expectMatchesRows(new MonitoringService(migrated, () => now), records, now);
      await migrated.close();
    } finally {
      await dropSchema(schema);
    }
  });
});
