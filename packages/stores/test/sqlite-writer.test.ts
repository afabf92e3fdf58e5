import { expect } from 'chai';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { isPermanentError, type PermanentError } from '@vigil/errors';
import type { PredictionRecord } from '@vigil/records';
import { openSqlite, SqliteWriter } from '@vigil/stores';
import { predictionRecords } from '../../../test/support/fixtures/prediction-records';

/** Record i, with fields a store may refuse (`{ timestamp: null }`) put over it: hence the loose type. */
function record(i: number, overrides: Record<string, unknown> = {}): PredictionRecord {
  return { ...predictionRecords(1, { start: i })[0], ...overrides } as PredictionRecord;
}

function tempDb(): string {
  return join(mkdtempSync(join(tmpdir(), 'writer-')), 'm.db');
}

function thrown(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  expect.fail('expected a throw');
}

describe('SqliteWriter: refused data is a PermanentError, anything else is not', function () {
  it('a row the schema refuses (CHECK, NOT NULL) fails its batch with STORE_REJECTED_DATA, the driver error as cause', function () {
    const writer = SqliteWriter.open(tempDb());
    for (const [bad, sqliteCode] of [
      [{ prediction: 2 }, 'SQLITE_CONSTRAINT_CHECK'],
      [{ timestamp: null }, 'SQLITE_CONSTRAINT_NOTNULL'],
    ] as const) {
      const error = thrown(() => writer.insertBatches([[record(1)], [record(2, bad)]]));
      expect(isPermanentError(error), String(error)).to.equal(true);
      const permanent = error as PermanentError;
      expect(permanent.code).to.equal('STORE_REJECTED_DATA');
      expect(permanent.details).to.deep.equal({ store: 'sqlite', sqlite_code: sqliteCode });
      expect((permanent.cause as { code?: string }).code).to.equal(sqliteCode);
      // The driver's message is kept: it is what a dead-letter entry shows.
      expect(permanent.message).to.equal((permanent.cause as Error).message);
      expect(isPermanentError(thrown(() => writer.insertBatch([record(3, bad)])))).to.equal(true);
    }
    // All or none: the good row of the refused transaction is not there either.
    expect(writer.unaudited(10)).to.have.length(0);
    expect(writer.insertBatch([record(1)])).to.equal(1);
    writer.close();
  });

  it('a busy database is thrown as it came (to be retried), not as a PermanentError', function () {
    const path = tempDb();
    const db = openSqlite(path);
    db.pragma('busy_timeout = 0'); // fail at once instead of waiting 10 s for the lock
    const writer = new SqliteWriter(db);
    const other = new Database(path);
    other.exec('BEGIN IMMEDIATE');
    try {
      const error = thrown(() => writer.insertBatch([record(1)]));
      expect(isPermanentError(error)).to.equal(false);
      expect((error as { code?: string }).code).to.equal('SQLITE_BUSY');
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    expect(writer.insertBatch([record(1)])).to.equal(1);
    writer.close();
  });

  it('a closed database is thrown as it came, not as a PermanentError', function () {
    const writer = SqliteWriter.open(tempDb());
    writer.close();
    const error = thrown(() => writer.insertBatch([record(1)]));
    expect(isPermanentError(error)).to.equal(false);
    expect(error).to.be.instanceOf(TypeError); // better-sqlite3: "The database connection is not open"
  });
});
