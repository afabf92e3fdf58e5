import { QualityLists, type StoredCell } from './quality-lists';
import type { SqliteDatabase } from './open-sqlite';

/**
 * Numbered schema changes for the SQLite store, applied in order at start-up.
 * Never edit a published migration: add the next number. (Migration 3 is
 * the one exception: its tables moved to @vigil/alerts, see there.)
 */
export interface SqliteMigration {
  readonly version: number;
  readonly sql: string;
  /** What SQL alone cannot do, run after `sql` in the same transaction. */
  readonly then?: (db: SqliteDatabase) => void;
}

/**
 * Migration 14's second half: every cell of quality_cells becomes a pending list of its key. Closed
 * minutes, hours and days were there at every level; an open minute (from through on) only as itself,
 * so it is added to its hour and day too. Then quality_cells goes.
 */
function packStoredCells(db: SqliteDatabase): void {
  const through = db.prepare<[], number>('SELECT through FROM quality_compaction').pluck().get()!;
  const lists = new QualityLists(db);
  function* cells(): Generator<StoredCell> {
    for (const cell of db.prepare<[], StoredCell>('SELECT * FROM quality_cells').iterate()) {
      yield cell;
      if (cell.level === 'minute' && cell.key >= through) {
        yield { ...cell, level: 'hour', key: Math.floor(cell.key / 60) };
        yield { ...cell, level: 'day', key: Math.floor(cell.key / 1440) };
      }
    }
  }
  lists.addPending(cells());
  db.exec('DROP TABLE quality_cells');
}

export const SQLITE_MIGRATIONS: readonly SqliteMigration[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE predictions (
        id            INTEGER PRIMARY KEY,
        prediction_id TEXT    NOT NULL UNIQUE,
        timestamp     TEXT    NOT NULL,
        model_version TEXT    NOT NULL,
        features      TEXT    NOT NULL,
        prediction    INTEGER NOT NULL CHECK (prediction IN (0, 1)),
        probability   REAL    NOT NULL,
        latency_ms    REAL    NOT NULL,
        created_at    TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
        -- 0 until the row is in the Postgres audit: the outbox the audit shipper drains.
        audited       INTEGER NOT NULL DEFAULT 0
      );
      -- Window queries filter on timestamp (ISO text sorts as time).
      CREATE INDEX predictions_timestamp ON predictions (timestamp);
      -- Small while the audit keeps up: only unaudited rows are in it.
      CREATE INDEX predictions_unaudited ON predictions (id) WHERE audited = 0;
    `,
  },
  {
    version: 2,
    sql: `
      -- Per-minute summaries the worker keeps as it writes, so monitoring
      -- queries read at most one row per minute instead of every prediction.
      -- latency is a LatencyHistogram as JSON (@vigil/rollups).
      CREATE TABLE rollup_minute (
        minute        INTEGER NOT NULL,
        model_version TEXT    NOT NULL,
        fraud         INTEGER NOT NULL,
        non_fraud     INTEGER NOT NULL,
        latency       TEXT    NOT NULL,
        PRIMARY KEY (minute, model_version)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 3,
    // The alert tables (alert_state, alert_history). They belong to @vigil/alerts now, which creates
    // them itself (AlertStore, ALERT_TABLES_SQL: the same DDL with IF NOT EXISTS). Kept, empty, for its
    // number: existing files have version 3 recorded as applied, and versions are never reused.
    sql: '-- no-op: see @vigil/alerts AlertStore',
  },
  {
    version: 4,
    sql: `
      -- The same summaries per hour: a 7-day window reads 168 hour rows (and at
      -- most 119 minute rows at its start) instead of 10,080 minute rows.
      CREATE TABLE rollup_hour (
        hour          INTEGER NOT NULL,
        model_version TEXT    NOT NULL,
        fraud         INTEGER NOT NULL,
        non_fraud     INTEGER NOT NULL,
        latency       TEXT    NOT NULL,
        PRIMARY KEY (hour, model_version)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 5,
    sql: `
      -- And per day (UTC): a 7-day window then reads at most 7 day rows,
      -- 23 hour rows and 59 minute rows, however busy the days were.
      CREATE TABLE rollup_day (
        day           INTEGER NOT NULL,
        model_version TEXT    NOT NULL,
        fraud         INTEGER NOT NULL,
        non_fraud     INTEGER NOT NULL,
        latency       TEXT    NOT NULL,
        PRIMARY KEY (day, model_version)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 6,
    sql: `
      -- The audit's progress as one number instead of a flag on every row.
      -- Pages ship in id order and SQLite gives each new row a larger id
      -- (retention never deletes the newest row), so every row at or below
      -- shipped_through is in Postgres. Marking a page shipped then costs one
      -- write, where setting audited = 1 rewrote each row and its index entry.
      CREATE TABLE audit_progress (
        id              INTEGER PRIMARY KEY CHECK (id = 1),
        shipped_through INTEGER NOT NULL
      );
      -- Rows above the first unaudited one may ship again: the audit ignores duplicates.
      INSERT INTO audit_progress (id, shipped_through) VALUES (1, coalesce(
        (SELECT min(id) - 1 FROM predictions WHERE audited = 0),
        (SELECT max(id) FROM predictions),
        0));
      DROP INDEX predictions_unaudited;
      -- predictions.audited stays, unused from here on: dropping a column rewrites
      -- the whole table, which on a large file would hold start-up for minutes.
    `,
  },
  {
    version: 7,
    sql: `
      -- Which API instance logged each record and its number there (NULL for
      -- records from before instances numbered theirs). Adding nullable
      -- columns only rewrites the schema, never the rows.
      ALTER TABLE predictions ADD COLUMN instance_id TEXT;
      ALTER TABLE predictions ADD COLUMN seq INTEGER;
      -- Per instance, the sequence numbers stored (kind 'stored') and dead-lettered
      -- by the worker ('dead_lettered'), as JSON runs [[from, to], ...] (@vigil/stores
      -- seq-ranges): a few runs per instance however many rows, merged in the
      -- transaction that writes the rows, and kept when retention prunes them.
      -- version counts changes; shipped_version is the last one the Postgres audit
      -- has (the shipper copies dead_lettered runs; stored runs come from the rows).
      CREATE TABLE seq_ranges (
        instance_id     TEXT    NOT NULL,
        kind            TEXT    NOT NULL CHECK (kind IN ('stored', 'dead_lettered')),
        ranges          TEXT    NOT NULL,
        version         INTEGER NOT NULL,
        shipped_version INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (instance_id, kind)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 8,
    sql: `
      -- Ground-truth labels (POST /feedback, cli feedback import). labels holds the
      -- current one per prediction: the latest labeled_at, ties to the later arrival.
      -- No foreign key to predictions: a label may come before its prediction, long
      -- after (retention may have pruned it), or for an id never seen.
      CREATE TABLE labels (
        prediction_id TEXT    PRIMARY KEY,
        label         INTEGER NOT NULL CHECK (label IN (0, 1)),
        labeled_at    TEXT    NOT NULL,
        received_at   TEXT    NOT NULL,
        version       INTEGER NOT NULL
      ) WITHOUT ROWID;
      -- Every version of every label, once each (label_id: a hash of prediction_id,
      -- label and labeled_at, so a resent label is the same row), and the outbox the
      -- audit shipper drains in id order, as for predictions (label_audit_progress).
      CREATE TABLE label_history (
        id            INTEGER PRIMARY KEY,
        label_id      TEXT    NOT NULL UNIQUE,
        prediction_id TEXT    NOT NULL,
        label         INTEGER NOT NULL CHECK (label IN (0, 1)),
        labeled_at    TEXT    NOT NULL,
        received_at   TEXT    NOT NULL,
        version       INTEGER NOT NULL,
        UNIQUE (prediction_id, version)
      );
      CREATE TABLE label_audit_progress (
        id              INTEGER PRIMARY KEY CHECK (id = 1),
        shipped_through INTEGER NOT NULL
      );
      INSERT INTO label_audit_progress (id, shipped_through) VALUES (1, 0);
      -- Labels whose prediction row is not stored (yet): kept small and exact, so
      -- /monitoring/labels/unmatched counts without scanning every label, and the
      -- prediction writer looks for labels to join only while it is not empty.
      CREATE TABLE labels_unmatched (
        prediction_id TEXT PRIMARY KEY,
        received_at   TEXT NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX labels_unmatched_received ON labels_unmatched (received_at);
    `,
  },
  {
    version: 9,
    sql: `
      -- Quality rollups (@vigil/quality cells): per level ('minute', 'hour', 'day'),
      -- key (minutes, hours or days since the epoch of the prediction's timestamp),
      -- model version, probability bin, the model's stored prediction and the label
      -- state (-1: no label yet, else the current label), the count and the sums
      -- exact Brier score and log loss need. Every stored prediction adds to -1; a
      -- label moves its row to 0 or 1, in the worker's transaction. A window reads
      -- at most 59 minutes, 23 hours and one key per day of cells (spanPlan).
      CREATE TABLE quality_cells (
        level         TEXT    NOT NULL CHECK (level IN ('minute', 'hour', 'day')),
        key           INTEGER NOT NULL,
        model_version TEXT    NOT NULL,
        bin           INTEGER NOT NULL,
        prediction    INTEGER NOT NULL CHECK (prediction IN (0, 1)),
        label_state   INTEGER NOT NULL CHECK (label_state IN (-1, 0, 1)),
        count         INTEGER NOT NULL,
        sum_p         REAL    NOT NULL,
        sum_p2        REAL    NOT NULL,
        sum_q2        REAL    NOT NULL,
        sum_log_p     REAL    NOT NULL,
        sum_log_q     REAL    NOT NULL,
        PRIMARY KEY (level, key, model_version, bin, prediction, label_state)
      ) WITHOUT ROWID;
      -- How long predictions waited for their first label (labeled_at - timestamp),
      -- by the prediction's level and key, in logarithmic delay buckets.
      CREATE TABLE quality_label_delay (
        level         TEXT    NOT NULL CHECK (level IN ('minute', 'hour', 'day')),
        key           INTEGER NOT NULL,
        model_version TEXT    NOT NULL,
        bucket        INTEGER NOT NULL,
        count         INTEGER NOT NULL,
        PRIMARY KEY (level, key, model_version, bucket)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 10,
    sql: `
      -- Quality rollups are written per minute only; the hour and day cells are
      -- filled from closed minutes by a compaction (SqliteQualityRollups.compact),
      -- since writing all three levels per batch tripled the worker's upserts.
      -- Invariant: a row is in the hour and day cells (and delays) exactly when
      -- its minute is below through; readers take minutes from through on
      -- from the minute cells. Every row counted so far is at every level, so
      -- through starts past the newest minute counted and past now.
      CREATE TABLE quality_compaction (
        through INTEGER NOT NULL
      );
      INSERT INTO quality_compaction (through) VALUES (max(
        CAST(strftime('%s', 'now') AS INTEGER) / 60 + 1,
        coalesce((SELECT max(key) + 1 FROM quality_cells WHERE level = 'minute'), 0),
        coalesce((SELECT max(key) + 1 FROM quality_label_delay WHERE level = 'minute'), 0)
      ));
    `,
  },
  {
    version: 11,
    sql: `
      -- A challenger model's scores of the champion's requests (SHADOW_MODEL_PATH), under the
      -- champion's prediction_id: one row per (prediction, shadow version), so a redelivered
      -- batch adds nothing and two challengers in turn stay apart. Kept out of predictions,
      -- so every champion figure (rollups, quality, completeness) stays the champion's.
      CREATE TABLE shadow_predictions (
        id            INTEGER PRIMARY KEY,
        prediction_id TEXT    NOT NULL,
        model_version TEXT    NOT NULL,
        timestamp     TEXT    NOT NULL,
        prediction    INTEGER NOT NULL CHECK (prediction IN (0, 1)),
        probability   REAL    NOT NULL CHECK (probability >= 0 AND probability <= 1),
        latency_ms    REAL    NOT NULL CHECK (latency_ms >= 0),
        created_at    TEXT    NOT NULL,
        UNIQUE (prediction_id, model_version)
      );
      CREATE INDEX shadow_predictions_timestamp ON shadow_predictions (timestamp);
    `,
  },
  {
    version: 12,
    sql: `
      -- The W3C trace id of the request that made the prediction (its traceparent
      -- header), so an audit row links to its trace; null without one.
      ALTER TABLE predictions ADD COLUMN trace_id TEXT;
    `,
  },
  {
    version: 13,
    sql: `
      -- The shadow scores' outbox to the Postgres audit, as for predictions and labels:
      -- every shadow_predictions row above shipped_through is still to ship.
      CREATE TABLE shadow_audit_progress (
        id              INTEGER PRIMARY KEY CHECK (id = 1),
        shipped_through INTEGER NOT NULL
      );
      INSERT INTO shadow_audit_progress (id, shipped_through) VALUES (1, 0);
    `,
  },
  {
    version: 14,
    sql: `
      -- quality_cells goes: every minute, hour and day of every model version is one packed
      -- list of its cells in quality_packed (@vigil/quality's PACKED_CELL_DOUBLES layout).
      -- A window of a busy model read a row per cell, ~100,000 for 30 days and ~9,000 for
      -- its last hour, and stepping over them was most of its time; it now reads a blob per
      -- key. Writes never rewrite a blob: a batch adds one pending list of changes per key it
      -- touches (one row for a batch of predictions, where it upserted a row per cell), and
      -- the worker folds them into the packed lists a few keys per transaction
      -- (QualityLists.fold), setting generation to the fold's number from quality_fold (never
      -- reused, so a key and its generation name one content forever: readers keep sums by
      -- them). Invariant: a key's cells are its packed list plus its pending lists; readers
      -- add both, so a fold never changes an answer. Label delays stay rows (migration 10).
      CREATE TABLE quality_packed (
        level         TEXT    NOT NULL CHECK (level IN ('minute', 'hour', 'day')),
        key           INTEGER NOT NULL,
        model_version TEXT    NOT NULL,
        generation    INTEGER NOT NULL,
        cells         BLOB    NOT NULL,
        PRIMARY KEY (level, key, model_version)
      );
      CREATE TABLE quality_pending (
        id            INTEGER PRIMARY KEY,
        level         TEXT    NOT NULL CHECK (level IN ('minute', 'hour', 'day')),
        key           INTEGER NOT NULL,
        model_version TEXT    NOT NULL,
        -- 1: a minute's list from stored predictions, added to its hour and day when folded
        -- (so a batch writes one list, not three); readers add it to those too until then.
        derives       INTEGER NOT NULL DEFAULT 0 CHECK (derives IN (0, 1)),
        cells         BLOB    NOT NULL,
        CHECK (derives = 0 OR level = 'minute')
      );
      CREATE INDEX quality_pending_key ON quality_pending (level, key, model_version);
      CREATE INDEX quality_pending_derived ON quality_pending (key) WHERE derives = 1;
      CREATE TABLE quality_fold (
        generation INTEGER NOT NULL
      );
      INSERT INTO quality_fold (generation) VALUES (0);
    `,
    then: packStoredCells,
  },
];
