import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import { CellAccumulator, labelDelayBucket, type QualityCell } from '@vigil/quality';
import type { LabelRecord, PredictionRecord } from '@vigil/records';
import { openSqlite, SqliteQualityReader, SqliteWriter } from '@vigil/stores';
import { SQLITE_MIGRATIONS } from '../src/sqlite/migrations';
import { fixtureId, predictionRecord } from '../../../test/support/fixtures/prediction-records';
import { seededUniform as random } from '../../../test/support/prng';
import { useTempDirs } from '../../../test/support/temp-dirs';

const START_MS = Date.UTC(2026, 10, 20, 7, 13);
const MINUTE = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();
const SUMS = ['sum_p', 'sum_p2', 'sum_q2', 'sum_log_p', 'sum_log_q'] as const;

/** Four days of rows and two versions, oldest first. */
function makePredictions(count: number, seed: number): PredictionRecord[] {
  const next = random(seed);
  const rows = Array.from({ length: count }, (_, n) => {
    const probability = next() < 0.1 ? 0.5 + next() / 2 : next() ** 3 / 2;
    return predictionRecord({
      prediction_id: fixtureId(n),
      timestamp: iso(START_MS + Math.floor(next() * 4 * 1440) * MINUTE + Math.floor(next() * MINUTE)),
      model_version: n % 4 === 0 ? 'challenger@2' : 'fraud@1',
      probability,
      prediction: probability >= 0.5 ? 1 : 0,
    });
  });
  return rows.sort((a, b) => a.timestamp.localeCompare(b.timestamp));
}

/** The cells of the rows made in [fromMinute, toMinute), by a pass over them. */
function truth(rows: readonly PredictionRecord[], labels: ReadonlyMap<string, 0 | 1>, fromMinute: number, toMinute: number, version?: string): QualityCell[] {
  const cells = new CellAccumulator();
  for (const p of rows) {
    const minute = Math.floor(Date.parse(p.timestamp) / MINUTE);
    if (minute < fromMinute || minute >= toMinute || (version !== undefined && p.model_version !== version)) continue;
    cells.add({ probability: p.probability, prediction: p.prediction, label: labels.get(p.prediction_id) ?? 'unlabeled' });
  }
  return cells.toArray();
}

/** The label delays (bucket → count) of the rows made in [fromMinute, toMinute) whose first label came at `firstLabeledAt`, by a pass over them. */
function truthDelays(rows: readonly PredictionRecord[], firstLabeledAt: ReadonlyMap<string, number>, fromMinute: number, toMinute: number): [number, number][] {
  const delays = new Map<number, number>();
  for (const p of rows) {
    const minute = Math.floor(Date.parse(p.timestamp) / MINUTE);
    const labeledAt = firstLabeledAt.get(p.prediction_id);
    if (minute < fromMinute || minute >= toMinute || labeledAt === undefined) continue;
    const bucket = labelDelayBucket((labeledAt - Date.parse(p.timestamp)) / 1000);
    delays.set(bucket, (delays.get(bucket) ?? 0) + 1);
  }
  return [...delays].sort((a, b) => a[0] - b[0]);
}

const sortedDelays = (delays: ReadonlyMap<number, number>): [number, number][] => [...delays].filter(([, n]) => n !== 0).sort((a, b) => a[0] - b[0]);

/** Counts exactly, every sum to 1e-12 of its size: a fold adds the same numbers in another order. */
function expectCells(actual: readonly QualityCell[], expected: readonly QualityCell[], where: string): void {
  const id = (c: QualityCell) => `${c.bin}|${c.prediction}|${c.label}`;
  const live = new Map(actual.filter((c) => c.count !== 0).map((c) => [id(c), c]));
  const wanted = new Map(expected.map((c) => [id(c), c]));
  expect([...live.keys()].sort(), `${where}: cells`).to.deep.equal([...wanted.keys()].sort());
  const wrong: string[] = [];
  for (const [k, e] of wanted) {
    const a = live.get(k)!;
    if (a.count !== e.count) wrong.push(`${k} count ${a.count} != ${e.count}`);
    for (const sum of SUMS) if (!(Math.abs(a[sum] - e[sum]) <= 1e-12 * Math.max(1, Math.abs(e[sum])))) wrong.push(`${k} ${sum} ${a[sum]} != ${e[sum]}`);
  }
  expect(wrong, where).to.deep.equal([]);
}

describe('SqliteQualityReader: packed and pending lists add up to the rows', function () {
  this.timeout(30_000);
  const tempDir = useTempDirs();

  it('span, timeline and versions equal a pass over the rows while nothing, some or every key is folded; readers share a connection', async function () {
    const path = join(tempDir('quality-reader'), 'monitoring.db');
    const predictions = makePredictions(2500, 21);
    const next = random(22);
    const labels = new Map<string, 0 | 1>();
    const firstLabeledAt = new Map<string, number>();
    const label = (decided: readonly LabelRecord[]) => {
      for (const l of decided) {
        labels.set(l.prediction_id, l.label);
        if (!firstLabeledAt.has(l.prediction_id)) firstLabeledAt.set(l.prediction_id, Date.parse(l.labeled_at));
      }
    };
    // Delays by stamp as a reader saw them: a stamp seen again must come with the same delays (PerformanceService keeps them by it).
    const delaysByStamp = new Map<string, string>();
    let clock = START_MS;
    const writer = SqliteWriter.open(path, { now: () => clock });
    const db = openSqlite(path);
    db.prepare('UPDATE quality_compaction SET through = ?').run(Math.floor(START_MS / MINUTE));
    for (let i = 0; i < predictions.length; i += 250) {
      const batch = predictions.slice(i, i + 250);
      clock = Date.parse(batch[batch.length - 1]!.timestamp) + 5_000;
      writer.insertBatch(batch);
      // Labels for earlier rows, some replaced later: cells move between states at every level.
      // And the batch's newest rows: their minutes are still open (after quality_compaction.through), so their delays are in the minutes only.
      const decided: LabelRecord[] = predictions
        .slice(0, i + 250)
        .filter((_, j) => next() < 0.08 || j >= i + 247)
        .map((p) => ({ prediction_id: p.prediction_id, label: next() < p.probability ? 1 : 0, labeled_at: iso(clock), received_at: iso(clock) }));
      writer.insertLabels(decided);
      label(decided);
      // Folded now and then, so keys are packed and then get pending cells again.
      if (i % 1000 === 0) writer.foldQualityRollups(5);
    }
    const through = db.prepare<[], number>('SELECT through FROM quality_compaction').pluck().get()!;
    const endMinute = Math.floor(clock / MINUTE);
    expect(through).to.be.below(endMinute); // some minutes are still read as minutes
    const count = (table: string) => db.prepare<[], number>(`SELECT count(*) FROM ${table}`).pluck().get()!;

    const first = SqliteQualityReader.open(path);
    const shared = openSqlite(path);
    const [second, third] = [new SqliteQualityReader(shared), new SqliteQualityReader(shared)];
    const startMinute = Math.floor(START_MS / MINUTE);
    const checkAll = async (state: string) => {
      for (const since of [startMinute - 5, startMinute + 1441 + 83, endMinute - 200, endMinute - 1]) {
        for (const version of [undefined, 'challenger@2']) {
          const expected = truth(predictions, labels, since, Number.POSITIVE_INFINITY, version);
          expect(expected.length).to.be.greaterThan(0);
          for (const reader of [first, second, third]) {
            const span = await reader.span(since, version);
            expectCells(span.cells, expected, `${state}: span from ${since} ${version}`);
            if (version === undefined)
              expect(sortedDelays(span.labelDelays), `${state}: span delays from ${since}`).to.deep.equal(
                truthDelays(predictions, firstLabeledAt, since, Number.POSITIVE_INFINITY),
              );
          }
        }
      }
      for (const [level, minutes] of [
        ['minute', 1],
        ['hour', 60],
        ['day', 1440],
      ] as const) {
        const from = level === 'minute' ? endMinute - 300 : startMinute;
        const timeline = await second.timeline(from, level, undefined);
        const keys = new Set(
          predictions.map((p) => Math.floor(Date.parse(p.timestamp) / MINUTE / minutes) * minutes).filter((m) => m >= Math.floor(from / minutes) * minutes),
        );
        expect(
          timeline.map((b) => b.minute),
          `${state}: ${level} buckets`,
        ).to.deep.equal([...keys].sort((a, b) => a - b));
        for (const bucket of timeline) {
          const where = `${state}: ${level} ${bucket.minute}`;
          expectCells(bucket.cells, truth(predictions, labels, bucket.minute, bucket.minute + minutes), where);
          const delays = sortedDelays(bucket.labelDelays);
          expect(delays, `${where}: label delays`).to.deep.equal(truthDelays(predictions, firstLabeledAt, bucket.minute, bucket.minute + minutes));
          if (bucket.stamp === undefined) continue;
          const seen = delaysByStamp.get(bucket.stamp);
          if (seen !== undefined) expect(JSON.stringify(delays), `${where}: delays under a stamp seen before`).to.equal(seen);
          delaysByStamp.set(bucket.stamp, JSON.stringify(delays));
        }
      }
      expect(await third.modelVersions(startMinute)).to.deep.equal(['challenger@2', 'fraud@1']);
      expect(await third.modelVersions(endMinute + 10)).to.deep.equal([]);
    };

    expect(count('quality_pending')).to.be.greaterThan(0);
    expect(count('quality_packed')).to.be.greaterThan(0);
    await checkAll('partly folded');
    while (writer.foldQualityRollups(7) > 0);
    expect(count('quality_pending')).to.equal(0);
    await checkAll('all folded');
    // Labels on old rows after the fold: pending beside lists whose sums the readers keep, then folded into new ones.
    clock += 3_600_000;
    const late = predictions
      .filter(() => next() < 0.1)
      .map((p) => ({ prediction_id: p.prediction_id, label: (next() < 0.5 ? 1 : 0) as 0 | 1, labeled_at: iso(clock), received_at: iso(clock) }));
    writer.insertLabels(late);
    label(late);
    await checkAll('late labels pending');
    while (writer.foldQualityRollups(3) > 0);
    await checkAll('late labels folded');
    // More labels later still, the clock past every minute (compaction moves the minutes' delays into their hours and days), folded.
    clock += 86_400_000;
    const later = predictions
      .filter(() => next() < 0.1)
      .map((p) => ({ prediction_id: p.prediction_id, label: (next() < 0.5 ? 1 : 0) as 0 | 1, labeled_at: iso(clock), received_at: iso(clock) }));
    writer.insertLabels(later);
    label(later);
    await checkAll('later labels pending');
    while (writer.foldQualityRollups(3) > 0);
    await checkAll('later labels folded');
    expect(delaysByStamp.size).to.be.greaterThan(0);

    for (const reader of [first, second]) reader.close();
    shared.close();
    writer.close();
    db.close();
  });

  it('migration 14 moves every cell of an older file into packed lists (open minutes into their hours and days too), to the same answers', async function () {
    const path = join(tempDir('quality-migration'), 'monitoring.db');
    const predictions = makePredictions(1200, 31);
    // The schema as it was before migration 14, and its hour and day cells where they were then: in quality_cells.
    const old = new Database(path);
    old.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
    for (const migration of SQLITE_MIGRATIONS.filter((m) => m.version < 14)) {
      old.exec(migration.sql);
      old.prepare('INSERT INTO schema_migrations VALUES (?, ?)').run(migration.version, iso(START_MS));
    }
    const endMinute = Math.floor(Date.parse(predictions[predictions.length - 1]!.timestamp) / MINUTE) + 1;
    // The last 90 minutes still open: in the minute cells only, as migration 10 left them.
    const through = endMinute - 90;
    old.prepare('UPDATE quality_compaction SET through = ?').run(through);
    const insert = old.prepare(
      `INSERT INTO quality_cells (level, key, model_version, bin, prediction, label_state, count, ${SUMS.join(', ')})
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const labels = new Map(predictions.filter((_, i) => i % 3 === 0).map((p, i) => [p.prediction_id, (i % 2) as 0 | 1]));
    for (const [level, minutes] of [
      ['minute', 1],
      ['hour', 60],
      ['day', 1440],
    ] as const) {
      const byKey = new Map<number, PredictionRecord[]>();
      for (const p of predictions) {
        const minute = Math.floor(Date.parse(p.timestamp) / MINUTE);
        if (level !== 'minute' && minute >= through) continue;
        const key = Math.floor(minute / minutes);
        byKey.set(key, [...(byKey.get(key) ?? []), p]);
      }
      for (const version of ['challenger@2', 'fraud@1']) {
        for (const [key, rows] of byKey) {
          for (const c of truth(rows, labels, key * minutes, (key + 1) * minutes, version)) {
            insert.run(
              level,
              key,
              version,
              c.bin,
              c.prediction,
              c.label === 'unlabeled' ? -1 : c.label,
              c.count,
              c.sum_p,
              c.sum_p2,
              c.sum_q2,
              c.sum_log_p,
              c.sum_log_q,
            );
          }
        }
      }
    }
    old.close();

    SqliteWriter.open(path).close();
    const db = new Database(path, { readonly: true });
    // No cell rows are left: every minute, hour and day is a packed list, the open minutes added to their hours and days.
    expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'quality_cells'").pluck().get()).to.equal(0);
    expect(db.prepare('SELECT count(*) FROM quality_pending').pluck().get()).to.equal(0);
    expect(db.prepare('SELECT count(DISTINCT level) FROM quality_packed').pluck().get()).to.equal(3);
    db.close();
    const reader = SqliteQualityReader.open(path);
    for (const since of [Math.floor(START_MS / MINUTE) - 1, Math.floor(START_MS / MINUTE) + 1500, through - 30, through + 10]) {
      expectCells((await reader.span(since, undefined)).cells, truth(predictions, labels, since, Number.POSITIVE_INFINITY), `span from ${since}`);
    }
    reader.close();
  });
});
