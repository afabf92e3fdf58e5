import { expect } from 'chai';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { SqliteWriter } from '@vigil/stores';
import { SqliteExportSource, writeExport, type ExportFormat, type ExportQuery } from '@vigil/export';
import { FIXTURE_EPOCH_MS, predictionRecords } from '../../../test/support/fixtures/prediction-records';
import { useTempDirs } from '../../../test/support/temp-dirs';
import { expectCsvMatches, expectJsonlMatches, expectParquetMatches, FIXTURE_PARQUET_TYPES } from './support/expect-export';
import { expectedRows } from './support/expected-rows';
import { CHALLENGER, FEATURE_NAMES, FIXTURE_COLUMNS, fixtureLabels, fixtureRecords, SINCE_ISO } from './support/fixture';

describe('export from SQLite (the file the worker writes)', function () {
  this.timeout(30_000);
  const tempDir = useTempDirs();
  let dir: string;
  let source: SqliteExportSource;
  beforeEach(function () {
    dir = tempDir('export-sqlite');
    const writer = SqliteWriter.open(join(dir, 'monitoring.db'));
    writer.insertBatch(fixtureRecords());
    for (const label of fixtureLabels()) writer.insertLabels([label]);
    // A shadow model's score of record 9 is stored apart: never a row of the export.
    writer.insertBatch([{ ...fixtureRecords()[9]!, model_version: 'shadow@1', role: 'shadow' }]);
    writer.close();
    source = new SqliteExportSource(join(dir, 'monitoring.db'));
  });
  afterEach(() => source.close());

  async function exportTo(format: ExportFormat, query: ExportQuery = { sinceIso: SINCE_ISO }, featureNames = FEATURE_NAMES) {
    const path = join(dir, `export.${format}`);
    const result = await writeExport(source, { format, query, featureNames }, createWriteStream(path));
    return { path, ...result };
  }

  it('writes CSV whose every row and value is a stored row of the window, oldest first, with its current label', async function () {
    const expected = expectedRows(fixtureRecords(), fixtureLabels(), { sinceIso: SINCE_ISO });
    expect(expected).to.have.length(25);
    const { path, rows, bytes } = await exportTo('csv');
    expect(rows).to.equal(25);
    expect(bytes).to.be.greaterThan(1000);
    expectCsvMatches(path, FIXTURE_COLUMNS, expected);
    // The reversed chargeback counts; the older decision that arrived late does not; record 20 sits by its time.
    const byId = new Map(expected.map((row) => [row.prediction_id, row]));
    expect(byId.get(fixtureRecords()[6]!.prediction_id)?.label).to.equal(0);
    expect(byId.get(fixtureRecords()[10]!.prediction_id)?.label).to.equal(1);
    expect(expected.map((row) => row.prediction_id).indexOf(fixtureRecords()[20]!.prediction_id)).to.equal(1);
  });

  it('writes JSON lines, one object per row with the features nested as the record carried them', async function () {
    const { path, rows } = await exportTo('jsonl');
    expect(rows).to.equal(25);
    expectJsonlMatches(path, expectedRows(fixtureRecords(), fixtureLabels(), { sinceIso: SINCE_ISO }));
  });

  it('writes Parquet that DuckDB reads back, value for value and typed (UTC timestamps, BIGINT seq, typed features)', async function () {
    const { path, rows } = await exportTo('parquet');
    expect(rows).to.equal(25);
    await expectParquetMatches(path, FIXTURE_COLUMNS, FIXTURE_PARQUET_TYPES, expectedRows(fixtureRecords(), fixtureLabels(), { sinceIso: SINCE_ISO }));
  });

  it('keeps to one model version when asked, and counts what it would write', async function () {
    const query = { sinceIso: SINCE_ISO, modelVersion: CHALLENGER };
    const expected = expectedRows(fixtureRecords(), fixtureLabels(), query);
    expect(expected.map((row) => row.model_version)).to.deep.equal(Array(5).fill(CHALLENGER));
    expect(await source.count(query)).to.equal(5);
    expect(await source.count({ sinceIso: SINCE_ISO })).to.equal(25);
    for (const format of ['csv', 'parquet'] as const) {
      const { path, rows } = await exportTo(format, query);
      expect(rows, format).to.equal(5);
      if (format === 'csv') expectCsvMatches(path, FIXTURE_COLUMNS, expected);
      else await expectParquetMatches(path, FIXTURE_COLUMNS, FIXTURE_PARQUET_TYPES, expected);
    }
  });

  it('writes a whole empty file when nothing matches: the CSV header, an empty JSON lines file, a Parquet file with no rows', async function () {
    const query = { sinceIso: '2099-01-01T00:00:00.000Z' };
    for (const format of ['csv', 'jsonl', 'parquet'] as const) {
      const { path, rows } = await exportTo(format, query);
      expect(rows, format).to.equal(0);
      if (format === 'csv') expectCsvMatches(path, FIXTURE_COLUMNS, []);
      if (format === 'jsonl') expectJsonlMatches(path, []);
      if (format === 'parquet') await expectParquetMatches(path, FIXTURE_COLUMNS, { timestamp: 'TIMESTAMP WITH TIME ZONE' }, []);
    }
  });

  it('renames a feature column whose name a record column has (features.<name>), so no two columns share a name', async function () {
    const records = predictionRecords(3, { start: 100, fromMs: FIXTURE_EPOCH_MS + 3_600_000, each: (n) => ({ features: { label: `L${n}`, timestamp: n } }) });
    const writer = SqliteWriter.open(join(dir, 'monitoring.db'));
    writer.insertBatch(records);
    writer.close();
    const query = { sinceIso: records[0]!.timestamp };
    const expected = expectedRows(records, [], query);
    const columns = [...FIXTURE_COLUMNS.slice(0, 11), 'features.label', 'features.timestamp', 'other'];
    const featureNames = ['label', 'timestamp', 'other'];
    const csv = await exportTo('csv', query, featureNames);
    expectCsvMatches(csv.path, columns, expected);
    const parquet = await exportTo('parquet', query, featureNames);
    // `other` is in no record: a column of nulls, typed as text.
    await expectParquetMatches(parquet.path, columns, { 'features.label': 'VARCHAR', 'features.timestamp': 'DOUBLE', other: 'VARCHAR' }, expected);
  });
});
