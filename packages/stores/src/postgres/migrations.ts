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
];
