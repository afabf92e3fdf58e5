import type pg from 'pg';
import { LatencyHistogram, type MinuteRollup } from '@vigil/rollups';

type StoredHistogram = Parameters<typeof LatencyHistogram.fromJSON>[0];

/**
 * Adds rollups to a rollup table inside the caller's transaction. Rows are
 * created if missing, then locked (FOR UPDATE) and merged, in a fixed key
 * order, so concurrent shippers merge one after the other and never deadlock.
 * `minute` of each rollup holds the table's key (a minute or an hour).
 */
export async function mergeRollups(client: pg.ClientBase, table: string, key: 'minute' | 'hour' | 'day', rollups: readonly MinuteRollup[]): Promise<void> {
  const ordered = [...rollups].sort((a, b) => a.minute - b.minute || a.model_version.localeCompare(b.model_version));
  for (const rollup of ordered) {
    await client.query(
      `INSERT INTO ${table} (${key}, model_version, fraud, non_fraud, latency) VALUES ($1, $2, 0, 0, '{"b":{},"n":0,"s":0,"m":0}') ON CONFLICT DO NOTHING`,
      [rollup.minute, rollup.model_version],
    );
    const current = await client.query<{ fraud: string; non_fraud: string; latency: StoredHistogram }>(
      `SELECT fraud, non_fraud, latency FROM ${table} WHERE ${key} = $1 AND model_version = $2 FOR UPDATE`,
      [rollup.minute, rollup.model_version],
    );
    const row = current.rows[0]!;
    const latency = LatencyHistogram.fromJSON(row.latency);
    latency.merge(rollup.latency);
    await client.query(`UPDATE ${table} SET fraud = $3, non_fraud = $4, latency = $5 WHERE ${key} = $1 AND model_version = $2`, [
      rollup.minute,
      rollup.model_version,
      rollup.fraud + Number(row.fraud),
      rollup.non_fraud + Number(row.non_fraud),
      JSON.stringify(latency),
    ]);
  }
}
