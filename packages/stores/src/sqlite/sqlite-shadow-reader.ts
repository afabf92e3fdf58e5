import { openSqlite, type SqliteDatabase } from './open-sqlite';

/** A champion prediction and a shadow model's score of the same request, with the current label if any. */
export interface ShadowPairRow {
  readonly champion_version: string;
  readonly champion_probability: number;
  readonly champion_prediction: 0 | 1;
  readonly shadow_version: string;
  readonly shadow_probability: number;
  readonly shadow_prediction: 0 | 1;
  readonly label: 0 | 1 | null;
}

/** A stored champion prediction with its features (JSON text) and current label: what `model replay` rescores. */
export interface StoredScoredRow {
  readonly prediction_id: string;
  readonly model_version: string;
  readonly features: string;
  readonly probability: number;
  readonly prediction: 0 | 1;
  readonly label: 0 | 1 | null;
}

/** The shadow scores (SHADOW_MODEL_PATH) the worker stored beside the champion's predictions, and the rows a candidate rescores. */
export class SqliteShadowReader {
  private readonly pairsSince;
  private readonly championCount;
  private readonly storedSince;

  constructor(private readonly db: SqliteDatabase) {
    // From the shadow rows: by timestamp (indexed), each joined to its champion row by the unique prediction_id.
    this.pairsSince = db.prepare<[string], ShadowPairRow>(
      `SELECT p.model_version AS champion_version, p.probability AS champion_probability, p.prediction AS champion_prediction,
              s.model_version AS shadow_version, s.probability AS shadow_probability, s.prediction AS shadow_prediction, l.label AS label
       FROM shadow_predictions s
       JOIN predictions p ON p.prediction_id = s.prediction_id
       LEFT JOIN labels l ON l.prediction_id = s.prediction_id
       WHERE s.timestamp >= ?`,
    );
    this.championCount = db.prepare<[string], number>('SELECT count(*) FROM predictions WHERE timestamp >= ?').pluck();
    this.storedSince = db.prepare<[string], StoredScoredRow>(
      `SELECT p.prediction_id, p.model_version, p.features, p.probability, p.prediction, l.label
       FROM predictions p LEFT JOIN labels l ON l.prediction_id = p.prediction_id
       WHERE p.timestamp >= ? ORDER BY p.timestamp, p.prediction_id`,
    );
  }

  static open(path: string): SqliteShadowReader {
    return new SqliteShadowReader(openSqlite(path));
  }

  /** Every pair from `sinceIso` on, streamed (a week of traffic is never one array). */
  pairs(sinceIso: string): IterableIterator<ShadowPairRow> {
    return this.pairsSince.iterate(sinceIso);
  }

  /** Champion predictions from `sinceIso` on, shadowed or not (the shadow skips when behind). */
  championPredictions(sinceIso: string): number {
    return this.championCount.get(sinceIso) ?? 0;
  }

  /** Every champion prediction from `sinceIso` on, oldest first, streamed. */
  storedPredictions(sinceIso: string): IterableIterator<StoredScoredRow> {
    return this.storedSince.iterate(sinceIso);
  }

  close(): void {
    this.db.close();
  }
}
