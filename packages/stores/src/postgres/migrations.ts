/**
 * Numbered schema changes for the Postgres audit, applied in order at
 * start-up. `{schema}` is replaced by the configured schema (a checked
 * identifier). Never edit a published migration: add the next number.
 */
export const POSTGRES_MIGRATIONS: readonly { version: number; sql: string }[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE {schema}.predictions (
        id            BIGSERIAL PRIMARY KEY,
        prediction_id UUID             NOT NULL UNIQUE,
        timestamp     TIMESTAMPTZ      NOT NULL,
        model_version TEXT             NOT NULL,
        features      JSONB            NOT NULL,
        prediction    SMALLINT         NOT NULL CHECK (prediction IN (0, 1)),
        probability   DOUBLE PRECISION NOT NULL,
        latency_ms    DOUBLE PRECISION NOT NULL,
        created_at    TIMESTAMPTZ      NOT NULL DEFAULT now()
      );
      CREATE INDEX predictions_timestamp ON {schema}.predictions (timestamp);
    `,
  },
  {
    version: 2,
    sql: `
      -- Per-minute summaries kept as rows are audited (see SQLite's rollup_minute).
      CREATE TABLE {schema}.rollup_minute (
        minute        BIGINT NOT NULL,
        model_version TEXT   NOT NULL,
        fraud         BIGINT NOT NULL,
        non_fraud     BIGINT NOT NULL,
        latency       JSONB  NOT NULL,
        PRIMARY KEY (minute, model_version)
      );
      -- Rows audited before rollups existed: the same buckets as LatencyHistogram
      -- (γ = 1.01 from 0.001 ms), computed here so the migration needs no client code.
      INSERT INTO {schema}.rollup_minute (minute, model_version, fraud, non_fraud, latency)
      SELECT minute, model_version, sum(fraud), sum(n) - sum(fraud),
             jsonb_build_object('b', jsonb_object_agg(bucket::text, n), 'n', sum(n), 's', sum(s), 'm', max(m))
      FROM (
        SELECT floor(extract(epoch FROM timestamp) / 60)::bigint AS minute, model_version,
               CASE WHEN latency_ms <= 0.001 THEN 0 ELSE ceil(ln(latency_ms / 0.001) / ln(1.01))::int END AS bucket,
               count(*) AS n, sum(prediction) AS fraud, sum(latency_ms) AS s, max(latency_ms) AS m
        FROM {schema}.predictions GROUP BY 1, 2, 3
      ) per_bucket
      GROUP BY minute, model_version;
    `,
  },
  {
    version: 3,
    sql: `
      -- The same summaries per hour (see SQLite's rollup_hour), backfilled from the rows.
      CREATE TABLE {schema}.rollup_hour (
        hour          BIGINT NOT NULL,
        model_version TEXT   NOT NULL,
        fraud         BIGINT NOT NULL,
        non_fraud     BIGINT NOT NULL,
        latency       JSONB  NOT NULL,
        PRIMARY KEY (hour, model_version)
      );
      INSERT INTO {schema}.rollup_hour (hour, model_version, fraud, non_fraud, latency)
      SELECT hour, model_version, sum(fraud), sum(n) - sum(fraud),
             jsonb_build_object('b', jsonb_object_agg(bucket::text, n), 'n', sum(n), 's', sum(s), 'm', max(m))
      FROM (
        SELECT floor(extract(epoch FROM timestamp) / 3600)::bigint AS hour, model_version,
               CASE WHEN latency_ms <= 0.001 THEN 0 ELSE ceil(ln(latency_ms / 0.001) / ln(1.01))::int END AS bucket,
               count(*) AS n, sum(prediction) AS fraud, sum(latency_ms) AS s, max(latency_ms) AS m
        FROM {schema}.predictions GROUP BY 1, 2, 3
      ) per_bucket
      GROUP BY hour, model_version;
    `,
  },
  {
    version: 4,
    sql: `
      -- And per day (UTC), backfilled from the rows (see SQLite's rollup_day).
      CREATE TABLE {schema}.rollup_day (
        day           BIGINT NOT NULL,
        model_version TEXT   NOT NULL,
        fraud         BIGINT NOT NULL,
        non_fraud     BIGINT NOT NULL,
        latency       JSONB  NOT NULL,
        PRIMARY KEY (day, model_version)
      );
      INSERT INTO {schema}.rollup_day (day, model_version, fraud, non_fraud, latency)
      SELECT day, model_version, sum(fraud), sum(n) - sum(fraud),
             jsonb_build_object('b', jsonb_object_agg(bucket::text, n), 'n', sum(n), 's', sum(s), 'm', max(m))
      FROM (
        SELECT floor(extract(epoch FROM timestamp) / 86400)::bigint AS day, model_version,
               CASE WHEN latency_ms <= 0.001 THEN 0 ELSE ceil(ln(latency_ms / 0.001) / ln(1.01))::int END AS bucket,
               count(*) AS n, sum(prediction) AS fraud, sum(latency_ms) AS s, max(latency_ms) AS m
        FROM {schema}.predictions GROUP BY 1, 2, 3
      ) per_bucket
      GROUP BY day, model_version;
    `,
  },
  {
    version: 5,
    sql: `
      -- Which API instance logged each record and its number there (NULL for older
      -- records); nullable columns without a default change no existing row.
      ALTER TABLE {schema}.predictions ADD COLUMN instance_id TEXT, ADD COLUMN seq BIGINT;
      -- Per instance, the runs of sequence numbers the audit holds ('stored', merged
      -- from the rows in the transaction that COPYs them) and those a worker
      -- dead-lettered ('dead_lettered', copied from each host's SQLite), as jsonb
      -- [[from, to], ...] (see SQLite's seq_ranges).
      CREATE TABLE {schema}.seq_ranges (
        instance_id TEXT  NOT NULL,
        kind        TEXT  NOT NULL CHECK (kind IN ('stored', 'dead_lettered')),
        ranges      JSONB NOT NULL,
        PRIMARY KEY (instance_id, kind)
      );
    `,
  },
  {
    version: 6,
    sql: `
      -- Every version of every ground-truth label, append-only (SQLite keeps the
      -- current one; the audit keeps the history: a chargeback reversed is two rows).
      -- label_id is the label's identity (a hash of prediction_id, label and
      -- labeled_at), so a version shipped twice is one row. prediction_id is TEXT
      -- with no foreign key: a label may name an id the audit never held. version
      -- is its number on the host that stored it; two hosts may each store a
      -- version 1 of one prediction, so order versions by labeled_at, received_at.
      CREATE TABLE {schema}.labels (
        id            BIGSERIAL   PRIMARY KEY,
        label_id      TEXT        NOT NULL UNIQUE,
        prediction_id TEXT        NOT NULL,
        label         SMALLINT    NOT NULL CHECK (label IN (0, 1)),
        labeled_at    TIMESTAMPTZ NOT NULL,
        received_at   TIMESTAMPTZ NOT NULL,
        version       INTEGER     NOT NULL,
        created_at    TIMESTAMPTZ NOT NULL DEFAULT now()
      );
      CREATE INDEX labels_prediction ON {schema}.labels (prediction_id, labeled_at, received_at);
    `,
  },
  {
    version: 7,
    sql: `
      -- The W3C trace id of the request's traceparent, as SQLite stores it; null without one.
      ALTER TABLE {schema}.predictions ADD COLUMN trace_id TEXT;
    `,
  },
  {
    version: 8,
    sql: `
      -- A challenger's scores (SHADOW_MODEL_PATH) under the champion's prediction_id,
      -- one row per (prediction, shadow version), as in SQLite's shadow_predictions.
      CREATE TABLE {schema}.shadow_predictions (
        id            BIGSERIAL        PRIMARY KEY,
        prediction_id UUID             NOT NULL,
        model_version TEXT             NOT NULL,
        timestamp     TIMESTAMPTZ      NOT NULL,
        prediction    SMALLINT         NOT NULL CHECK (prediction IN (0, 1)),
        probability   DOUBLE PRECISION NOT NULL CHECK (probability >= 0 AND probability <= 1),
        latency_ms    DOUBLE PRECISION NOT NULL CHECK (latency_ms >= 0),
        created_at    TIMESTAMPTZ      NOT NULL DEFAULT now(),
        UNIQUE (prediction_id, model_version)
      );
      CREATE INDEX shadow_predictions_timestamp ON {schema}.shadow_predictions (timestamp);
    `,
  },
  {
    version: 9,
    sql: `
      -- The predictions partitioned by UTC day (README "Partitioned audit"): retention drops whole days,
      -- and every per-partition index stays the size of a day. An existing audit is moved in this
      -- transaction, all or nothing: the old table is renamed, its rows copied (ids, created_at and
      -- all) into day partitions, and dropped. Its id sequence carries over, so new ids stay above the old.
      ALTER TABLE {schema}.predictions RENAME TO predictions_unpartitioned;
      ALTER SEQUENCE {schema}.predictions_id_seq OWNED BY NONE;
      CREATE TABLE {schema}.predictions (
        id            BIGINT           NOT NULL DEFAULT nextval('{schema}.predictions_id_seq'),
        prediction_id UUID             NOT NULL,
        timestamp     TIMESTAMPTZ      NOT NULL,
        model_version TEXT             NOT NULL,
        features      JSONB            NOT NULL,
        prediction    SMALLINT         NOT NULL CHECK (prediction IN (0, 1)),
        probability   DOUBLE PRECISION NOT NULL,
        latency_ms    DOUBLE PRECISION NOT NULL,
        created_at    TIMESTAMPTZ      NOT NULL DEFAULT now(),
        instance_id   TEXT,
        seq           BIGINT,
        trace_id      TEXT
      ) PARTITION BY RANGE (timestamp);
      -- Creates the partition of one UTC day if it is missing; returns its name (predictions_pYYYYMMDD).
      -- The advisory lock makes two sessions creating the same day wait for each other, not fail.
      CREATE FUNCTION {schema}.vigil_prediction_partition(day DATE) RETURNS TEXT LANGUAGE plpgsql AS $fn$
      DECLARE
        name TEXT := 'predictions_p' || to_char(day, 'YYYYMMDD');
      BEGIN
        IF to_regclass(format('{schema}.%I', name)) IS NULL THEN
          PERFORM pg_advisory_xact_lock(hashtext('vigil-partition:{schema}.' || name));
          EXECUTE format('CREATE TABLE IF NOT EXISTS {schema}.%I PARTITION OF {schema}.predictions FOR VALUES FROM (%L) TO (%L)',
                         name, day::timestamp AT TIME ZONE 'UTC', (day + 1)::timestamp AT TIME ZONE 'UTC');
        END IF;
        RETURN name;
      END
      $fn$;
      SELECT {schema}.vigil_prediction_partition(day)
      FROM (SELECT DISTINCT (timestamp AT TIME ZONE 'UTC')::date AS day FROM {schema}.predictions_unpartitioned
            UNION SELECT (now() AT TIME ZONE 'UTC')::date + ahead FROM generate_series(0, 2) AS ahead) AS days;
      INSERT INTO {schema}.predictions
        (id, prediction_id, timestamp, model_version, features, prediction, probability, latency_ms, created_at, instance_id, seq, trace_id)
      SELECT id, prediction_id, timestamp, model_version, features, prediction, probability, latency_ms, created_at, instance_id, seq, trace_id
      FROM {schema}.predictions_unpartitioned;
      DROP TABLE {schema}.predictions_unpartitioned;
      ALTER SEQUENCE {schema}.predictions_id_seq OWNED BY {schema}.predictions.id;
      -- Built after the copy (faster than row by row), on every partition and each new one. A unique
      -- index of a partitioned table must hold the partition key: a record's timestamp is set once, by
      -- the API that served it, and travels with it unchanged, so every copy of a prediction has the same
      -- (prediction_id, timestamp) and a re-shipped row still conflicts. prediction_id first: it also
      -- serves the lookups by id alone (the shadow pairs' join), one probe per partition.
      ALTER TABLE {schema}.predictions ADD CONSTRAINT predictions_prediction_id_timestamp_key UNIQUE (prediction_id, timestamp);
      CREATE INDEX predictions_timestamp ON {schema}.predictions (timestamp);
    `,
  },
];
