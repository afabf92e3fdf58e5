/**
 * Numbered schema changes for the SQLite store, applied in order at start-up.
 * Never edit a published migration: add the next number. (Migration 3 is
 * the one exception: its tables moved to @vigil/alerts, see there.)
 */
export const SQLITE_MIGRATIONS: readonly { version: number; sql: string }[] = [
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
];
