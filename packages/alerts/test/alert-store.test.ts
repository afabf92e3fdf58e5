import { expect } from 'chai';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openSqlite } from '@vigil/stores';
import { SqliteAlertStore } from '../src/alert-store-sqlite';

/** What the stores' SQLite migration 3 created before the alert tables moved here, as existing files hold them. */
const MIGRATION_3_AS_PUBLISHED = `
      -- Alert state per rule (one row each) and every state change, so a
      -- restart neither forgets a firing alert nor notifies it twice.
      CREATE TABLE alert_state (
        rule           TEXT    PRIMARY KEY,
        state          TEXT    NOT NULL CHECK (state IN ('inactive', 'pending', 'firing')),
        since          TEXT    NOT NULL,
        value          REAL,
        threshold      REAL,
        evaluated_at   TEXT    NOT NULL,
        -- id of the last history row whose notification was handed to the notification queue
        notified_id    INTEGER NOT NULL DEFAULT 0
      ) WITHOUT ROWID;
      CREATE TABLE alert_history (
        id          INTEGER PRIMARY KEY,
        rule        TEXT NOT NULL,
        from_state  TEXT NOT NULL,
        to_state    TEXT NOT NULL,
        value       REAL,
        threshold   REAL,
        at          TEXT NOT NULL,
        -- 1 when this change is one a receiver hears about (firing, or resolved after firing)
        notify      INTEGER NOT NULL
      );
      CREATE INDEX alert_history_rule ON alert_history (rule, id);
    `;

function alertSchema(db: Database.Database): unknown[] {
  return db.prepare("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE tbl_name LIKE 'alert%' ORDER BY name").all();
}

function tempDb(): string {
  return join(mkdtempSync(join(tmpdir(), 'alert-store-')), 'm.db');
}

const firing = { state: 'firing' as const, since: '2026-11-27T10:00:00.000Z', value: 2, threshold: 1, evaluated_at: '2026-11-27T10:00:00.000Z' };

describe('SqliteAlertStore tables', function () {
  it('a new file gets exactly the tables migration 3 used to create', function () {
    const published = new Database(':memory:');
    published.exec(MIGRATION_3_AS_PUBLISHED);
    const db = openSqlite(tempDb());
    new SqliteAlertStore(db);
    expect(alertSchema(db)).to.deep.equal(alertSchema(published));
    expect(alertSchema(db)).to.have.length(3);
    db.close();
  });

  it('a file migrated before the move keeps its alert state and history, and opening it twice changes nothing', async function () {
    const path = tempDb();
    // Stand-in for a file from before: the tables and a history made by the published migration.
    const before = openSqlite(path);
    before.exec(MIGRATION_3_AS_PUBLISHED);
    const change = { from_state: 'pending', to_state: 'firing', value: 2, threshold: 1, notify: 1 };
    await new SqliteAlertStore(before).transition('r', () => ({ next: { rule: 'r', ...firing }, change }));
    const schema = alertSchema(before);
    before.close();

    const db = openSqlite(path);
    const store = new SqliteAlertStore(db);
    new SqliteAlertStore(db);
    expect(alertSchema(db)).to.deep.equal(schema);
    expect((await store.states()).map((s) => [s.rule, s.state])).to.deep.equal([['r', 'firing']]);
    expect((await store.unnotified('r')).map((c) => c.to_state)).to.deep.equal(['firing']);
    db.close();
  });
});
