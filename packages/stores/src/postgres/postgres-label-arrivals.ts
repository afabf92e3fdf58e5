import type { LabelArrivals } from '../label-arrivals';
import { PostgresStore, type PostgresStoreOptions } from './postgres-store';

/**
 * How recently labels arrived, from the Postgres audit (the labels_stopped alert with MONITORING_STORE=postgres):
 * every host's label versions are there. As SqliteLabelArrivals: the newest received_at of the last rows
 * added (by id, the primary key: no scan, and no index on received_at needed), since the shipping order can
 * lag the API's clock (a journal replayed late).
 */
export class PostgresLabelArrivals implements LabelArrivals {
  constructor(
    private readonly store: PostgresStore,
    /** Whether close() ends the store's pool (one opened by {@link PostgresLabelArrivals.open}). */
    private readonly ownsStore = false,
  ) {}

  static open(options: PostgresStoreOptions): PostgresLabelArrivals {
    return new PostgresLabelArrivals(PostgresStore.lazy(options), true);
  }

  async lastReceivedAt(): Promise<string | undefined> {
    return this.store.read(async (client, table) => {
      const result = await client.query<{ newest: Date | null }>(
        `SELECT max(received_at) AS newest FROM (SELECT received_at FROM ${table('labels')} ORDER BY id DESC LIMIT 1000) AS last_rows`,
      );
      return result.rows[0]?.newest?.toISOString() ?? undefined;
    });
  }

  async close(): Promise<void> {
    if (this.ownsStore) await this.store.close();
  }
}
