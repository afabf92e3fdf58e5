import type pg from 'pg';
import { mergeRanges, parseRanges, sameRanges, type SeqRange, type SeqRangeKind } from '../seq-ranges';

/**
 * Merges runs of sequence numbers into the seq_ranges table inside the
 * caller's transaction. Each instance's row is locked (FOR UPDATE) before
 * it is read and rewritten, and instances go in one fixed order, so two
 * shippers (two hosts, or two pages in flight) merge one after the other
 * and never deadlock; a row that does not exist yet is inserted, and a
 * racing insert of the same row waits for ours and then merges.
 */
export async function mergeSeqRanges(client: pg.ClientBase, table: string, kind: SeqRangeKind, runs: ReadonlyMap<string, readonly SeqRange[]>): Promise<void> {
  const ordered = [...runs].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [instance, added] of ordered) {
    if (added.length === 0) continue;
    // The usual case, the instance already has runs: two round trips.
    let current = await client.query<{ ranges: unknown }>(`SELECT ranges FROM ${table} WHERE instance_id = $1 AND kind = $2 FOR UPDATE`, [instance, kind]);
    if (current.rows.length === 0) {
      const inserted = await client.query(`INSERT INTO ${table} (instance_id, kind, ranges) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, [
        instance,
        kind,
        JSON.stringify(mergeRanges([], added)),
      ]);
      if (inserted.rowCount === 1) continue;
      // Another transaction inserted it first (and has committed, or ON CONFLICT would still wait): merge into theirs.
      current = await client.query<{ ranges: unknown }>(`SELECT ranges FROM ${table} WHERE instance_id = $1 AND kind = $2 FOR UPDATE`, [instance, kind]);
    }
    const before = parseRanges(current.rows[0]?.ranges ?? []);
    const after = mergeRanges(before, added);
    if (!sameRanges(before, after)) {
      await client.query(`UPDATE ${table} SET ranges = $3 WHERE instance_id = $1 AND kind = $2`, [instance, kind, JSON.stringify(after)]);
    }
  }
}
