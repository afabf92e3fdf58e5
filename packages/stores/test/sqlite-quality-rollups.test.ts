import { join } from 'node:path';
import { expect } from 'chai';
import { CellAccumulator, labelDelayBucket, realizedQuality, type LabelState, type QualityCell } from '@vigil/quality';
import type { LabelRecord, PredictionRecord } from '@vigil/records';
import { openSqlite, SqliteQualityReader, SqliteWriter } from '@vigil/stores';
import { fixtureId, predictionRecord } from '../../../test/support/fixtures/prediction-records';
import { useTempDirs } from '../../../test/support/temp-dirs';
import { seededUniform as random } from '../../../test/support/prng';

const START_MS = Date.UTC(2026, 10, 20, 7, 13);
const MINUTE = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

/** Fraud-shaped scores: most near 0, a minority near 1, spread over three days and two model versions. */
function makePredictions(count: number): PredictionRecord[] {
  const next = random(14);
  return Array.from({ length: count }, (_, n) => {
    const fraud = next() < 0.08;
    const logit = fraud ? 2 + 2.5 * (next() - 0.3) * 2 : -6 + 3 * (next() + next() - 1) * 2;
    const probability = 1 / (1 + Math.exp(-logit));
    return predictionRecord({
      prediction_id: fixtureId(n),
      timestamp: iso(START_MS + Math.floor(next() * 3 * 24 * 60) * MINUTE + Math.floor(next() * MINUTE)),
      model_version: n % 5 === 0 ? 'challenger@2' : 'fraud@1',
      probability,
      prediction: probability >= 0.5 ? 1 : 0,
    });
  });
}

describe('SQLite quality rollups', function () {
  this.timeout(30_000);
  const tempDir = useTempDirs();

  // The truth the rollups must match: each row's current label and the labeled_at its first label was joined with.
  const predictions = makePredictions(3000);
  const labelOf = new Map<string, { label: 0 | 1; firstLabeledAt: string }>();
  const next = random(99);
  const labelRecord = (p: PredictionRecord, label: 0 | 1, labeledAtMs: number): LabelRecord => ({
    prediction_id: p.prediction_id,
    label,
    labeled_at: iso(labeledAtMs),
    received_at: iso(labeledAtMs + 1000),
  });
  const drawLabel = (p: PredictionRecord): 0 | 1 => (next() < p.probability ? 1 : 0);

  function expectedCells(sinceMinute: number, modelVersion: string | undefined): QualityCell[] {
    const cells = new CellAccumulator();
    for (const p of predictions) {
      if (Math.floor(Date.parse(p.timestamp) / MINUTE) < sinceMinute) continue;
      if (modelVersion !== undefined && p.model_version !== modelVersion) continue;
      const label: LabelState = labelOf.get(p.prediction_id)?.label ?? 'unlabeled';
      cells.add({ probability: p.probability, prediction: p.prediction, label });
    }
    return cells.toArray();
  }

  function expectedDelays(sinceMinute: number, modelVersion: string | undefined): Map<number, number> {
    const delays = new Map<number, number>();
    for (const p of predictions) {
      const label = labelOf.get(p.prediction_id);
      if (label === undefined || Math.floor(Date.parse(p.timestamp) / MINUTE) < sinceMinute) continue;
      if (modelVersion !== undefined && p.model_version !== modelVersion) continue;
      const bucket = labelDelayBucket((Date.parse(label.firstLabeledAt) - Date.parse(p.timestamp)) / 1000);
      delays.set(bucket, (delays.get(bucket) ?? 0) + 1);
    }
    return delays;
  }

  const key = (c: QualityCell) => `${c.bin}|${c.prediction}|${c.label}`;
  function expectSameCells(actual: QualityCell[], expected: QualityCell[]): void {
    const live = new Map(actual.filter((c) => c.count !== 0).map((c) => [key(c), c]));
    const wanted = new Map(expected.map((c) => [key(c), c]));
    const missing = [...wanted.keys()].filter((k) => !live.has(k));
    const extra = [...live.keys()].filter((k) => !wanted.has(k));
    expect({ missing, extra }).to.deep.equal({ missing: [], extra: [] });
    // Collected, then asserted once: thousands of chai assertions would be most of the test's time.
    const wrong: string[] = [];
    for (const [k, e] of wanted) {
      const a = live.get(k)!;
      if (a.count !== e.count) wrong.push(`${k} count ${a.count} != ${e.count}`);
      for (const sum of ['sum_p', 'sum_p2', 'sum_q2', 'sum_log_p', 'sum_log_q'] as const) {
        if (!(Math.abs(a[sum] - e[sum]) <= 1e-9 * Math.max(1, Math.abs(e[sum])))) wrong.push(`${k} ${sum} ${a[sum]} != ${e[sum]}`);
      }
    }
    expect(wrong).to.deep.equal([]);
  }

  it('keeps the cells of every window equal to the rows and their current labels, through early, late, replaced and resent labels', async function () {
    const path = join(tempDir('quality-rollups'), 'monitoring.db');
    const writer = SqliteWriter.open(path);
    // Labels for a quarter of the rows before their predictions are stored: they wait unmatched, then join.
    const early = predictions.filter((_, i) => i % 4 === 0);
    const earlyLabels = early.map((p) => labelRecord(p, drawLabel(p), Date.parse(p.timestamp) + (1 + next() * 48) * 3_600_000));
    writer.insertLabels(earlyLabels);
    earlyLabels.forEach((l) => labelOf.set(l.prediction_id, { label: l.label, firstLabeledAt: l.labeled_at }));
    for (let i = 0; i < predictions.length; i += 500) writer.insertBatch(predictions.slice(i, i + 500));
    writer.insertBatch(predictions.slice(0, 700)); // a redelivered batch adds nothing
    // Labels after their predictions for another third.
    const late = predictions.filter((_, i) => i % 4 !== 0 && i % 3 === 1);
    const lateLabels = late.map((p) => labelRecord(p, drawLabel(p), Date.parse(p.timestamp) + next() * 20 * 86_400_000));
    for (let i = 0; i < lateLabels.length; i += 300) writer.insertLabels(lateLabels.slice(i, i + 300));
    lateLabels.forEach((l) => labelOf.set(l.prediction_id, { label: l.label, firstLabeledAt: l.labeled_at }));
    writer.insertLabels(lateLabels.slice(0, 200)); // resent: nothing moves
    // Reversals (a later labeled_at flips the label) and an older decision arriving late (kept in history, not current).
    const flipped = [...labelOf.keys()].filter((_, i) => i % 7 === 0);
    const byId = new Map(predictions.map((p) => [p.prediction_id, p]));
    writer.insertLabels(flipped.map((id) => labelRecord(byId.get(id)!, labelOf.get(id)!.label === 1 ? 0 : 1, Date.parse('2026-12-30T00:00:00Z'))));
    for (const id of flipped) labelOf.get(id)!.label = labelOf.get(id)!.label === 1 ? 0 : 1;
    writer.insertLabels(flipped.slice(0, 50).map((id) => labelRecord(byId.get(id)!, 1, Date.parse('2026-11-01T00:00:00Z'))));

    const reader = SqliteQualityReader.open(path);
    const startMinute = Math.floor(START_MS / MINUTE);
    // Windows that start on a minute, mid-hour, mid-day and before everything: every level of spanPlan is exercised.
    for (const since of [startMinute - 10, startMinute + 17, startMinute + 1441 + 83, startMinute + 2 * 1440 + 600 + 7]) {
      for (const version of [undefined, 'challenger@2']) {
        const { cells, labelDelays } = await reader.span(since, version);
        const expected = expectedCells(since, version);
        expect(expected.length, 'the window holds rows').to.be.greaterThan(10);
        expectSameCells(cells, expected);
        expect(labelDelays).to.deep.equal(expectedDelays(since, version));
        const realized = realizedQuality(cells);
        const exact = realizedQuality(expected);
        expect({ tp: realized.tp, fp: realized.fp, tn: realized.tn, fn: realized.fn }).to.deep.equal({
          tp: exact.tp,
          fp: exact.fp,
          tn: exact.tn,
          fn: exact.fn,
        });
      }
    }
    // The day timeline adds up to the whole span.
    const days = await reader.timeline(startMinute, 'day', undefined);
    expect(days.map((d) => d.minute % 1440)).to.deep.equal(days.map(() => 0));
    const total = (cells: QualityCell[]) => cells.reduce((n, c) => n + c.count, 0);
    expect(days.reduce((n, d) => n + total(d.cells), 0)).to.equal(predictions.length);
    reader.close();

    // A database from before the quality tables: rebuilt from the rows and their labels, to the same cells.
    const { cells: incremental } = await SqliteQualityReader.open(path).span(startMinute + 17, undefined);
    writer.close();
    const db = openSqlite(path);
    db.exec('DELETE FROM quality_pending; DELETE FROM quality_packed; DELETE FROM quality_label_delay;');
    db.close();
    SqliteWriter.open(path).close();
    const rebuilt = SqliteQualityReader.open(path);
    const after = await rebuilt.span(startMinute + 17, undefined);
    expectSameCells(after.cells, expectedCells(startMinute + 17, undefined));
    expectSameCells(incremental, expectedCells(startMinute + 17, undefined));
    expect(after.labelDelays).to.deep.equal(expectedDelays(startMinute + 17, undefined));
    rebuilt.close();
  });
});

describe('SQLite quality rollups, compacted as minutes close', function () {
  this.timeout(30_000);
  const tempDir = useTempDirs();

  it('reads the same cells from minute cells and compacted hours and days, while the compaction lags and after', async function () {
    const path = join(tempDir('quality-compaction'), 'monitoring.db');
    const predictions = makePredictions(2400).sort((a, b) => a.timestamp.localeCompare(b.timestamp));
    const startMinute = Math.floor(START_MS / MINUTE);
    let clock = START_MS;
    const writer = SqliteWriter.open(path, { now: () => clock });
    // A fresh file counts nothing yet, so the compaction may start at the first prediction (it starts past the real now).
    const db = openSqlite(path);
    db.prepare('UPDATE quality_compaction SET through = ?').run(startMinute);
    const through = () => db.prepare<[], number>('SELECT through FROM quality_compaction').pluck().get()!;

    const stored: PredictionRecord[] = [];
    const labels = new Map<string, 0 | 1>();
    const next = random(7);
    const expectedCells = (since: number, version?: string) => {
      const cells = new CellAccumulator();
      for (const p of stored) {
        if (Math.floor(Date.parse(p.timestamp) / MINUTE) < since || (version !== undefined && p.model_version !== version)) continue;
        cells.add({ probability: p.probability, prediction: p.prediction, label: labels.get(p.prediction_id) ?? 'unlabeled' });
      }
      return cells.toArray();
    };
    const sameCells = (actual: QualityCell[], expected: QualityCell[]) => {
      const live = actual.filter((c) => c.count !== 0);
      const byKey = (cells: QualityCell[]) => new Map(cells.map((c) => [`${c.bin}|${c.prediction}|${c.label}`, c.count]));
      expect(byKey(live)).to.deep.equal(byKey(expected));
      const sumP = (cells: QualityCell[]) => cells.reduce((s, c) => s + c.sum_p, 0);
      expect(sumP(live)).to.be.closeTo(sumP(expected), 1e-6);
    };
    const reader = SqliteQualityReader.open(path);
    const check = async () => {
      for (const since of [startMinute - 10, startMinute + 17, startMinute + 1441 + 83, Math.floor(clock / MINUTE) - 90, Math.floor(clock / MINUTE) - 1]) {
        for (const version of [undefined, 'challenger@2']) sameCells((await reader.span(since, version)).cells, expectedCells(since, version));
      }
      for (const level of ['hour', 'day'] as const) {
        const minutes = level === 'hour' ? 60 : 1440;
        const counts = new Map<number, number>();
        for (const p of stored) {
          const bucket = Math.floor(Date.parse(p.timestamp) / MINUTE / minutes) * minutes;
          counts.set(bucket, (counts.get(bucket) ?? 0) + 1);
        }
        const timeline = await reader.timeline(startMinute, level, undefined);
        expect(new Map(timeline.map((b) => [b.minute, b.cells.reduce((n, c) => n + c.count, 0)]))).to.deep.equal(counts);
      }
    };

    // Batches arrive as the clock passes their predictions; a label for an earlier one now and then.
    for (let i = 0; i < predictions.length; i += 200) {
      const batch = predictions.slice(i, i + 200);
      clock = Date.parse(batch[batch.length - 1]!.timestamp) + 5_000;
      writer.insertBatch(batch);
      stored.push(...batch);
      const labeled = stored.filter(() => next() < 0.05).map((p) => labelRecord(p, next() < p.probability ? 1 : 0, clock));
      writer.insertLabels(labeled);
      for (const l of labeled) labels.set(l.prediction_id, l.label);
      if (i === 1200) {
        // Mid-stream: minutes of the last two are not compacted yet, and the hours and days hold the rest.
        expect(through()).to.be.within(Math.floor(clock / MINUTE) - 2, Math.floor(clock / MINUTE));
        expect(db.prepare("SELECT count(*) FROM quality_pending WHERE level = 'hour'").pluck().get()).to.be.greaterThan(0);
        await check();
        // Some keys folded into packed lists, the rest still pending: the same answers. Later batches
        // then add pending cells to keys that are packed, so a key is read as both.
        expect(writer.foldQualityRollups(3)).to.equal(3);
        expect(db.prepare('SELECT count(*) FROM quality_packed').pluck().get()).to.equal(3);
        await check();
      }
    }
    // A day later, with one more label: every minute is compacted.
    clock += 86_400_000;
    const last = stored[stored.length - 1]!;
    writer.insertLabels([labelRecord(last, 1, clock)]);
    labels.set(last.prediction_id, 1);
    expect(through()).to.equal(Math.floor(clock / MINUTE) - 1);
    await check();
    // Everything folded: no pending cell left, every hour and day a packed list, the same answers.
    while (writer.foldQualityRollups(4) > 0);
    expect(db.prepare('SELECT count(*) FROM quality_pending').pluck().get()).to.equal(0);
    expect(db.prepare('SELECT count(*) FROM quality_packed').pluck().get()).to.be.greaterThan(3);
    await check();
    reader.close();
    db.close();
    writer.close();
  });
});

function labelRecord(p: PredictionRecord, label: 0 | 1, labeledAtMs: number): LabelRecord {
  return { prediction_id: p.prediction_id, label, labeled_at: iso(labeledAtMs), received_at: iso(labeledAtMs + 1000) };
}
