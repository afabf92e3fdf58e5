import { DuckDBInstance } from '@duckdb/node-api';

/** The column names and DuckDB types of a Parquet file, and its rows as plain JS values, read by DuckDB (not by the writer's library). */
export async function readParquet(path: string): Promise<{ columns: { name: string; type: string }[]; rows: Record<string, unknown>[] }> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const file = `'${path.replaceAll("'", "''")}'`;
    const described = await connection.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${file})`);
    const columns = described.getRowObjectsJson().map((row) => ({ name: String(row.column_name), type: String(row.column_type) }));
    const result = await connection.runAndReadAll(`SELECT * FROM read_parquet(${file})`);
    return { columns, rows: result.getRowObjectsJS() as Record<string, unknown>[] };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
