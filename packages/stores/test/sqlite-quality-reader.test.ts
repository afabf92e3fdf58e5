import { join } from 'node:path';
import { expect } from 'chai';
import type { CellSums } from '@vigil/quality';
import type { LabelRecord, PredictionRecord } from '@vigil/records';
import { spanPlan } from '@vigil/rollups';
import { openSqlite, SqliteQualityReader, SqliteWriter } from '@vigil/stores';
import { fixtureId, predictionRecord } from '../../../test/support/fixtures/prediction-records';
import { seededUniform as random } from '../../../test/support/prng';
import { useTempDirs } from '../../../test/support/temp-dirs';

const START_MS = Date.UTC(2026, 10, 20, 7, 13);
const MINUTE = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();
type SqlCell = CellSums & { bin: number; prediction: 0 | 1; label_state: -1 | 0 | 1 };
const SUMS = 'sum(count) AS count, sum(sum_p) AS sum_p, sum(sum_p2) AS sum_p2, sum(sum_q2) AS sum_q2, sum(sum_log_p) AS sum_log_p, sum(sum_log_q) AS sum_log_q';
const asCells = (rows: SqlCell[]) => rows.map(({ label_state, ...sums }) => ({ ...sums, label: label_state === -1 ? 'unlabeled' : label_state }));

/**
 * The reader sums cells in JavaScript instead of SQL's GROUP BY; these check
 * it against SQLite's own sum() over the same stored rows, to the last bit,
 * on a store the real writer filled (compacted days and hours, open minutes).
 */
describe('SqliteQualityReader sums cells as SQL sum() does', function () {
  this.timeout(30_000);
  const tempDir = useTempDirs();

  it('span and timeline equal GROUP BY with sum(), bit for bit; two readers share a connection', async function () {
    const path = join(tempDir('quality-reader'), 'monitoring.db');
    const next = random(21);
    // Four days of rows and two versions, written as the clock passes them so hours and days are compacted.
    const predictions: PredictionRecord[] = Array.from({ length: 2500 }, (_, n) => {
      const probability = next() < 0.1 ? 0.5 + next() / 2 : next() ** 3 / 2;
      return predictionRecord({
        prediction_id: fixtureId(n),
        timestamp: iso(START_MS + Math.floor(next() * 4 * 1440) * MINUTE + Math.floor(next() * MINUTE)),
        model_version: n % 4 === 0 ? 'challenger@2' : 'fraud@1',
        probability,
        prediction: probability >= 0.5 ? 1 : 0,
      });
    });
    predictions.sort((a, b) => a.timestamp.localeCompare(b.timestamp));
    let clock = START_MS;
    const writer = SqliteWriter.open(path, { now: () => clock });
    const db = openSqlite(path);
    db.prepare('UPDATE quality_compaction SET through = ?').run(Math.floor(START_MS / MINUTE));
    for (let i = 0; i < predictions.length; i += 250) {
      const batch = predictions.slice(i, i + 250);
      clock = Date.parse(batch[batch.length - 1]!.timestamp) + 5_000;
      writer.insertBatch(batch);
      // Labels for earlier rows, some replaced later: cells move between states at every level.
      const labels: LabelRecord[] = predictions
        .slice(0, i + 250)
        .filter(() => next() < 0.08)
        .map((p) => ({ prediction_id: p.prediction_id, label: next() < p.probability ? 1 : 0, labeled_at: iso(clock), received_at: iso(clock) }));
      writer.insertLabels(labels);
    }
    const through = db.prepare<[], number>('SELECT through FROM quality_compaction').pluck().get()!;
    const endMinute = Math.floor(clock / MINUTE);
    expect(through).to.be.below(endMinute); // some minutes are still read as minutes

    const spanSql = db.prepare<[{ m: number; mTo: number; h: number; hTo: number; d: number; v: string | null }], SqlCell>(
      `SELECT bin, prediction, label_state, ${SUMS} FROM quality_cells WHERE
         ((level = 'minute' AND key >= @m AND key < min(@mTo, ${through})) OR (level = 'minute' AND key >= max(@m, ${through}))
          OR (level = 'hour' AND key >= @h AND key < @hTo) OR (level = 'day' AND key >= @d)) AND (@v IS NULL OR model_version = @v)
       GROUP BY bin, prediction, label_state`,
    );
    const first = SqliteQualityReader.open(path);
    const shared = openSqlite(path);
    const [second, third] = [new SqliteQualityReader(shared), new SqliteQualityReader(shared)];
    const startMinute = Math.floor(START_MS / MINUTE);
    for (const since of [startMinute - 5, startMinute + 1441 + 83, endMinute - 200, endMinute - 1]) {
      for (const version of [undefined, 'challenger@2']) {
        const [m, h, d] = spanPlan(since);
        const expected = asCells(spanSql.all({ m: m!.from, mTo: m!.to!, h: h!.from, hTo: h!.to!, d: d!.from, v: version ?? null }));
        expect(expected.length).to.be.greaterThan(0);
        for (const reader of [first, second, third]) expect((await reader.span(since, version)).cells).to.deep.equal(expected);
      }
    }

    const timelineSql = db.prepare<[{ level: string; from: number; minutes: number }], SqlCell & { key: number }>(
      `SELECT key, bin, prediction, label_state, ${SUMS} FROM (
         SELECT key, * FROM quality_cells WHERE level = @level AND key >= @from
         UNION ALL SELECT key / CAST(@minutes AS INTEGER) AS key, * FROM quality_cells WHERE level = 'minute' AND key >= max(@from * @minutes, ${through})
       ) GROUP BY key, bin, prediction, label_state ORDER BY key`,
    );
    for (const [level, minutes] of [
      ['hour', 60],
      ['day', 1440],
    ] as const) {
      const rows = timelineSql.all({ level, from: Math.floor(startMinute / minutes), minutes });
      const expected = new Map<number, SqlCell[]>();
      for (const { key, ...cell } of rows) expected.set(key * minutes, [...(expected.get(key * minutes) ?? []), cell]);
      const timeline = await second.timeline(startMinute, level, undefined);
      expect(timeline.map((b) => b.minute)).to.deep.equal([...expected.keys()]);
      for (const bucket of timeline) expect(bucket.cells, `${level} ${bucket.minute}`).to.deep.equal(asCells(expected.get(bucket.minute)!));
    }
    expect(await third.modelVersions(startMinute)).to.deep.equal(['challenger@2', 'fraud@1']);
    expect(await third.modelVersions(endMinute + 10)).to.deep.equal([]);

    for (const reader of [first, second]) reader.close();
    writer.close();
    db.close();
  });
});
