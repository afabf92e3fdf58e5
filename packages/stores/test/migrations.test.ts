import { expect } from 'chai';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteWriter } from '@vigil/stores';
import { SQLITE_MIGRATIONS } from '../src/sqlite/migrations';

function tempDb(): string {
  return join(mkdtempSync(join(tmpdir(), 'migrations-')), 'm.db');
}

describe('SQLite migrations', function () {
  it('migration 6 starts the progress just below the first row the old audited flag had not shipped', function () {
    const path = tempDb();
    const db = new Database(path);
    db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
    for (const migration of SQLITE_MIGRATIONS.filter((m) => m.version <= 5)) {
      db.exec(migration.sql);
      db.prepare('INSERT INTO schema_migrations VALUES (?, ?)').run(migration.version, new Date().toISOString());
    }
    const insert = db.prepare(
      'INSERT INTO predictions (prediction_id, timestamp, model_version, features, prediction, probability, latency_ms, audited) ' +
        'VALUES (?, ?, ?, ?, 0, 0.1, 1, ?)',
    );
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

  it('keeps every version number, each once and in order (3 is recorded on existing files, though its tables moved to @vigil/alerts)', function () {
    expect(SQLITE_MIGRATIONS.map((m) => m.version)).to.deep.equal([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
    const path = tempDb();
    SqliteWriter.open(path).close();
    const db = new Database(path, { readonly: true });
    expect(db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all()).to.deep.equal([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
    db.close();
  });
});
