import Database from 'better-sqlite3';
import { openSqlite, type SqliteDatabase } from '@vigil/stores';
import type { ExportQuery, ExportRow, ExportSource } from '../export-types';
import { BATCH_ROWS, nextTurn } from './next-turn';

function hasColumn(db: SqliteDatabase, table: string, column: string): boolean {
  return (db.pragma(`table_info(${table})`) as { name: string }[]).some((info) => info.name === column);
}

/** The export's SELECT: each prediction with its current label (SQLite's labels table holds only that one). */
function selectRows(traceId: boolean): string {
  return `SELECT p.prediction_id, p.timestamp, p.model_version, p.prediction, p.probability, p.latency_ms,
                 p.instance_id, p.seq${traceId ? ', p.trace_id' : ''}, l.label, l.labeled_at, p.features
          FROM predictions p LEFT JOIN labels l ON l.prediction_id = p.prediction_id
          WHERE p.timestamp >= ? AND (? IS NULL OR p.model_version = ?)
          ORDER BY p.timestamp, p.id`;
}

/**
 * Exports from the SQLite file the worker writes. Counts and the schema
 * check use one connection, opened on first use as every reader opens the
 * file (created and migrated if need be); each export reads on a read-only
 * connection of its own, since better-sqlite3 allows nothing else on a
 * connection while a statement is being iterated, and its read transaction
 * is the export's snapshot (WAL: the worker keeps writing meanwhile).
 * The (timestamp, id) order is the timestamp index's own, so nothing is sorted.
 */
export class SqliteExportSource implements ExportSource {
  private db: SqliteDatabase | undefined;

  constructor(private readonly path: string) {}

  private connection(): SqliteDatabase {
    this.db ??= openSqlite(this.path);
    return this.db;
  }

  async count(query: ExportQuery): Promise<number> {
    const version = query.modelVersion ?? null;
    const statement = this.connection().prepare<[string, string | null, string | null], number>(
      'SELECT count(*) FROM predictions WHERE timestamp >= ? AND (? IS NULL OR model_version = ?)',
    );
    return statement.pluck().get(query.sinceIso, version, version) ?? 0;
  }

  async hasTraceId(): Promise<boolean> {
    return hasColumn(this.connection(), 'predictions', 'trace_id');
  }

  async *batches(query: ExportQuery): AsyncGenerator<readonly ExportRow[], void, undefined> {
    this.connection(); // the file exists and is migrated before a read-only connection opens it
    const db = new Database(this.path, { readonly: true, fileMustExist: true });
    try {
      db.pragma('busy_timeout = 10000');
      const version = query.modelVersion ?? null;
      const rows = db.prepare<[string, string | null, string | null], ExportRow>(selectRows(hasColumn(db, 'predictions', 'trace_id')));
      let batch: ExportRow[] = [];
      for (const row of rows.iterate(query.sinceIso, version, version)) {
        batch.push(row);
        if (batch.length < BATCH_ROWS) continue;
        yield batch;
        batch = [];
        await nextTurn();
      }
      if (batch.length > 0) yield batch;
    } finally {
      db.close();
    }
  }

  close(): void {
    this.db?.close();
    this.db = undefined;
  }
}
