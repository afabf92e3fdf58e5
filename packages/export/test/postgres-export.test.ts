import { expect } from 'chai';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { PostgresStore, storedLabelId } from '@vigil/stores';
import { openExportSource, writeExport, type ExportFormat, type ExportQuery, type ExportSource } from '@vigil/export';
import { useTempDirs } from '../../../test/support/temp-dirs';
import { dropSchema, POSTGRES_URL } from '../../../test/support/test-env';
import { expectCsvMatches, expectJsonlMatches, expectParquetMatches, FIXTURE_PARQUET_TYPES } from './support/expect-export';
import { expectedRows } from './support/expected-rows';
import { CHALLENGER, FEATURE_NAMES, FIXTURE_COLUMNS, fixtureLabels, fixtureRecords, SINCE_ISO } from './support/fixture';

// The audit keeps every version of a label: the export takes the current one, as SQLite keeps it.
describe('export from the Postgres audit', function () {
  this.timeout(30_000);
  const schema = `test_export_${process.pid}`;
  const tempDir = useTempDirs();
  let dir: string;
  let source: ExportSource;
  before(async function () {
    await dropSchema(schema);
    const store = await PostgresStore.open({ connectionString: POSTGRES_URL, schema });
    try {
      await store.insertBatch(fixtureRecords());
      const versions = new Map<string, number>();
      for (const label of fixtureLabels()) {
        const version = (versions.get(label.prediction_id) ?? 0) + 1;
        versions.set(label.prediction_id, version);
        await store.insertLabelVersions([{ ...label, label_id: storedLabelId(label), version }]);
      }
    } finally {
      await store.close();
    }
  });
  beforeEach(function () {
    dir = tempDir('export-postgres');
    source = openExportSource({ monitoringStore: 'postgres', auditDatabaseUrl: POSTGRES_URL, auditSchema: schema, sqlitePath: join(dir, 'unused.db') });
  });
  afterEach(() => source.close());
  after(() => dropSchema(schema));

  async function exportTo(format: ExportFormat, query: ExportQuery = { sinceIso: SINCE_ISO }) {
    const path = join(dir, `export.${format}`);
    const result = await writeExport(source, { format, query, featureNames: FEATURE_NAMES }, createWriteStream(path));
    return { path, ...result };
  }

  const expected = (query: ExportQuery = { sinceIso: SINCE_ISO }) => expectedRows(fixtureRecords(), fixtureLabels(), query);

  it('writes CSV, JSON lines and Parquet (read back by DuckDB) whose rows are the stored rows of the window with their current labels', async function () {
    expect(await source.hasTraceId()).to.equal(true);
    const csv = await exportTo('csv');
    expect(csv.rows).to.equal(25);
    expectCsvMatches(csv.path, FIXTURE_COLUMNS, expected());
    expectJsonlMatches((await exportTo('jsonl')).path, expected());
    await expectParquetMatches((await exportTo('parquet')).path, FIXTURE_COLUMNS, FIXTURE_PARQUET_TYPES, expected());
  });

  it('keeps to one model version when asked, and counts what it would write', async function () {
    const query = { sinceIso: SINCE_ISO, modelVersion: CHALLENGER };
    expect(await source.count(query)).to.equal(5);
    expect(await source.count({ sinceIso: SINCE_ISO })).to.equal(25);
    const { path, rows } = await exportTo('csv', query);
    expect(rows).to.equal(5);
    expectCsvMatches(path, FIXTURE_COLUMNS, expected(query));
  });

  it('releases its connection when the export stops early, and leaves the pool usable', async function () {
    const batches = source.batches({ sinceIso: SINCE_ISO });
    const first = await batches.next();
    expect(first.done).to.equal(false);
    await batches.return(undefined);
    // Four exports stopped early with a pool of four: a leaked connection would make this wait and time out.
    for (let i = 0; i < 5; i++) {
      const more = source.batches({ sinceIso: SINCE_ISO });
      await more.next();
      await more.return(undefined);
    }
    expect(await source.count({ sinceIso: SINCE_ISO })).to.equal(25);
  });
});
