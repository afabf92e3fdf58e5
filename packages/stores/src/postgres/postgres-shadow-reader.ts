import type { ShadowPairRow } from '../sqlite/sqlite-shadow-reader';
import { currentLabelJoin, PREDICTION_ID_TEXT } from './label-versions-sql';
import { PostgresStore, type PostgresStoreOptions } from './postgres-store';

/** Rows per round trip: a page of pairs, read by shadow id so each page starts where the last ended. */
const PAGE = 10_000;

interface PairRow {
  id: string;
  champion_version: string;
  champion_probability: number;
  champion_prediction: number;
  shadow_version: string;
  shadow_probability: number;
  shadow_prediction: number;
  label: number | null;
}

/**
 * The shadow scores every worker host shipped to the audit, joined to their champion rows and
 * current labels: /monitoring/compare with MONITORING_STORE=postgres, as SqliteShadowReader answers it.
 */
export class PostgresShadowReader {
  constructor(
    private readonly store: PostgresStore,
    private readonly ownsStore = false,
  ) {}

  static open(options: PostgresStoreOptions): PostgresShadowReader {
    return new PostgresShadowReader(PostgresStore.lazy(options), true);
  }

  /** Every pair from `sinceIso` on, a page at a time (memory flat over any window). */
  async *pairs(sinceIso: string): AsyncIterable<ShadowPairRow> {
    let afterId = '0';
    for (;;) {
      const page = await this.store.read((client, table) =>
        client.query<PairRow>(
          `SELECT s.id, p.model_version AS champion_version, p.probability AS champion_probability, p.prediction AS champion_prediction,
                  s.model_version AS shadow_version, s.probability AS shadow_probability, s.prediction AS shadow_prediction, cur.label
           FROM ${table('shadow_predictions')} s
           JOIN ${table('predictions')} p ON p.prediction_id = s.prediction_id
           ${currentLabelJoin(table('labels'), PREDICTION_ID_TEXT, 'cur')}
           WHERE s.timestamp >= $1 AND s.id > $2 ORDER BY s.id LIMIT ${PAGE}`,
          [sinceIso, afterId],
        ),
      );
      for (const row of page.rows) {
        yield {
          champion_version: row.champion_version,
          champion_probability: row.champion_probability,
          champion_prediction: row.champion_prediction === 1 ? 1 : 0,
          shadow_version: row.shadow_version,
          shadow_probability: row.shadow_probability,
          shadow_prediction: row.shadow_prediction === 1 ? 1 : 0,
          label: row.label === null ? null : row.label === 1 ? 1 : 0,
        };
      }
      if (page.rows.length < PAGE) return;
      afterId = page.rows[page.rows.length - 1]!.id;
    }
  }

  async championPredictions(sinceIso: string): Promise<number> {
    const result = await this.store.read((client, table) =>
      client.query<{ n: string }>(`SELECT count(*) AS n FROM ${table('predictions')} WHERE timestamp >= $1`, [sinceIso]),
    );
    return Number(result.rows[0]?.n ?? 0);
  }

  async close(): Promise<void> {
    if (this.ownsStore) await this.store.close();
  }
}
