import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { cellOf, type Cell, type ExpectedRow } from './expected-rows';
import { readCsv, type CsvField } from './read-csv';
import { readParquet } from './read-parquet';

function expectCsvField(field: CsvField, expected: Cell, where: string): void {
  if (expected === null) expect(field, where).to.deep.equal({ text: '', quoted: false });
  else if (typeof expected === 'number') expect(Number(field.text), where).to.equal(expected);
  else if (typeof expected === 'boolean') expect(field.text, where).to.equal(String(expected));
  else {
    expect(field.text, where).to.equal(expected);
    if (expected === '') expect(field.quoted, `${where}: the empty string is quoted, apart from null`).to.equal(true);
  }
}

/** The CSV at `path` holds the header `columns` and exactly `rows`, value by value. */
export function expectCsvMatches(path: string, columns: readonly string[], rows: readonly ExpectedRow[]): void {
  const [header, ...records] = readCsv(readFileSync(path, 'utf8'));
  expect(header?.map((f) => f.text)).to.deep.equal(columns);
  expect(records.map((r) => r[0]?.text)).to.deep.equal(rows.map((r) => r.prediction_id));
  records.forEach((record, i) => {
    expect(record, `row ${i}`).to.have.length(columns.length);
    columns.forEach((column, c) => expectCsvField(record[c]!, cellOf(rows[i]!, column), `row ${i} ${column}`));
  });
}

/** The JSON lines at `path` are exactly `rows`, features nested as the records carried them (trace_id only when `traceId`). */
export function expectJsonlMatches(path: string, rows: readonly ExpectedRow[], traceId = true): void {
  const text = readFileSync(path, 'utf8');
  expect(text.endsWith('\n') || text === '').to.equal(true);
  const lines = text === '' ? [] : text.slice(0, -1).split('\n');
  const objects = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  const wanted = rows.map((row) => {
    const { trace_id, ...rest } = row;
    return traceId ? { ...rest, trace_id } : rest;
  });
  expect(objects).to.deep.equal(wanted);
}

/** A value DuckDB read, in the terms of the expected cells: timestamps as ISO text, BIGINT as a number. */
function plain(value: unknown): Cell {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'bigint') return Number(value);
  return value as Cell;
}

/** DuckDB reads the Parquet at `path` as `columns` of these types holding exactly `rows`, value by value. */
export async function expectParquetMatches(path: string, columns: readonly string[], types: Readonly<Record<string, string>>, rows: readonly ExpectedRow[]) {
  const read = await readParquet(path);
  expect(read.columns.map((c) => c.name)).to.deep.equal(columns);
  for (const [column, type] of Object.entries(types)) expect(read.columns.find((c) => c.name === column)?.type, column).to.equal(type);
  expect(read.rows).to.have.length(rows.length);
  read.rows.forEach((row, i) => {
    for (const column of columns) expect(plain(row[column]), `row ${i} ${column}`).to.deep.equal(cellOf(rows[i]!, column));
  });
}

/** The DuckDB types of the fixture's columns: UTC timestamps, integers, doubles, booleans and strings as the spec types its features. */
export const FIXTURE_PARQUET_TYPES: Readonly<Record<string, string>> = {
  prediction_id: 'VARCHAR',
  timestamp: 'TIMESTAMP WITH TIME ZONE',
  model_version: 'VARCHAR',
  prediction: 'INTEGER',
  probability: 'DOUBLE',
  latency_ms: 'DOUBLE',
  instance_id: 'VARCHAR',
  seq: 'BIGINT',
  trace_id: 'VARCHAR',
  label: 'INTEGER',
  labeled_at: 'TIMESTAMP WITH TIME ZONE',
  amount: 'DOUBLE',
  velocity: 'DOUBLE',
  is_weekend: 'BOOLEAN',
  merchant_category: 'VARCHAR',
};
