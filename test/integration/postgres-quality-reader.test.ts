import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { AuditShipper } from '@vigil/audit';
import { loadQualityCalibrator, parseWindow, PerformanceService } from '@vigil/monitoring';
import { BIN_EDGES, type QualityCell } from '@vigil/quality';
import type { LabelRecord, PredictionRecord } from '@vigil/records';
import {
  PostgresLabelArrivals,
  PostgresLabelReader,
  PostgresQualityReader,
  PostgresStore,
  SqliteLabelArrivals,
  SqliteLabelReader,
  SqliteQualityReader,
  SqliteWriter,
} from '@vigil/stores';
import { fixtureId, predictionRecords } from '../support/fixtures/prediction-records';
import { createPrng } from '../support/prng';
import { dropSchema, POSTGRES_URL } from '../support/test-env';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** "Now" for the writer's compaction and the services' windows: fixed, so a failure replays. */
const NOW = Date.UTC(2026, 10, 30, 12, 30, 15);
const iso = (ms: number) => new Date(ms).toISOString();

/** The largest double below x (0 < x < 1): probabilities just under a bin edge. */
function below(x: number): number {
  const bits = new BigInt64Array(new Float64Array([x]).buffer);
  bits[0]! -= 1n;
  return new Float64Array(bits.buffer)[0]!;
}

/**
 * Predictions over the last 10 days on two model versions, with probabilities on every bin edge, just under
 * a sample of edges, at 0 and 1 and below the log-loss clip, and random elsewhere; some made in the last two
 * minutes (SQLite has not compacted those into hour and day cells yet).
 */
function predictions(): PredictionRecord[] {
  const prng = createPrng(14);
  const special = [0, 1, 1e-17, 1e-15, 1 - 1e-15, 0.5, below(0.5), 0.1, below(0.1), 0.9, ...Array.from(BIN_EDGES)];
  for (let i = 0; i < BIN_EDGES.length; i += 7) special.push(below(BIN_EDGES[i]!));
  const random = Array.from({ length: 1500 }, () => (prng.chance(0.5) ? prng.next() ** 4 : prng.next()));
  const probabilities = [...special, ...random];
  return predictionRecords(probabilities.length, {
    each: (n, i) => {
      const p = probabilities[i]!;
      const recent = i % 50 === 0;
      const ago = recent ? prng.int(0, 110_000) : prng.int(0, 10 * DAY);
      return {
        timestamp: iso(NOW - ago),
        model_version: i % 3 === 0 ? 'v2' : 'v1',
        probability: p,
        // Mostly the 0.5 threshold, some disagreeing (the stored prediction is what counts are made from).
        prediction: (prng.chance(0.05) ? p < 0.5 : p >= 0.5) ? 1 : 0,
      };
    },
  });
}

/** Delays from prediction to label (seconds), including bucket edges: powers of two, exactly 1 s, under 1 s, negative. */
const DELAYS = [0.5, 1, 2, 4, 8, 1024, 2 ** 16, -30, 0.999, 3600, 86_400, 3 * 86_400, 37.25];

interface Scenario {
  /** Written before the predictions: they wait unmatched, then join. */
  readonly early: LabelRecord[];
  /** Written after the predictions, in this order. */
  readonly late: LabelRecord[][];
}

/**
 * Labels with every rule that decides the current label and the delay: first labels, labels before their
 * predictions, replacements with a later labeled_at, an older decision arriving late (no replacement), ties on
 * labeled_at (the later arrival wins, also at an equal received_at: the later written), and labels for ids no
 * prediction has (UUID-shaped, back-filled, and an existing id in upper case, which neither store matches).
 */
function scenario(records: readonly PredictionRecord[]): Scenario {
  const prng = createPrng(17);
  let clock = NOW - 11 * DAY;
  /** received_at in write order, as the API's clock gives it. */
  const received = () => iso((clock += 1000));
  const label = (r: PredictionRecord | string, value: 0 | 1, labeledAt: number): LabelRecord => ({
    prediction_id: typeof r === 'string' ? r : r.prediction_id,
    label: value,
    labeled_at: iso(labeledAt),
    received_at: received(),
  });
  const truth = (r: PredictionRecord): 0 | 1 => (prng.chance(r.probability) ? 1 : 0);
  const at = (r: PredictionRecord, delay: number) => Date.parse(r.timestamp) + delay * 1000;
  const early: LabelRecord[] = [];
  const first: LabelRecord[] = [];
  const second: LabelRecord[] = [];
  const third: LabelRecord[] = [];
  records.forEach((r, i) => {
    if (i % 4 === 3) return; // unlabeled
    const delay = i % 5 === 0 ? DELAYS[i % DELAYS.length]! : prng.int(1, 20 * 86_400) / 7;
    const value = truth(r);
    if (i % 11 === 0) {
      early.push(label(r, value, at(r, delay)));
      return;
    }
    first.push(label(r, value, at(r, delay)));
    switch (i % 13) {
      case 1: // a chargeback reversed: a later decision replaces
        second.push(label(r, value === 1 ? 0 : 1, at(r, delay) + DAY));
        break;
      case 2: // an older decision arriving late: kept in the history, the current label stays
        second.push(label(r, value === 1 ? 0 : 1, at(r, delay) - HOUR));
        break;
      case 3: // a tie on labeled_at: the later arrival wins
        second.push(label(r, value === 1 ? 0 : 1, at(r, delay)));
        break;
      case 4: // reversed, then reversed back
        second.push(label(r, value === 1 ? 0 : 1, at(r, delay) + HOUR));
        third.push(label(r, value, at(r, delay) + 2 * HOUR));
        break;
    }
  });
  // Ties at an equal received_at too: the version written (and shipped, in one page here) later wins.
  const tied = records[3]!; // unlabeled above
  const tiedFirst = { ...label(tied, 0, at(tied, 500)) };
  const tiedSecond = { ...tiedFirst, label: 1 as const };
  // Ids no prediction has: one waits with a replacement, one is back-filled, one is an existing id in upper case.
  const unknown = fixtureId(9_000_001);
  const unmatched = [
    label(unknown, 1, NOW - 3 * DAY),
    label('chargeback-2026-0042', 0, NOW - 2 * DAY),
    label(records[11]!.prediction_id.toUpperCase(), 1, NOW - DAY), // …00b: has a letter to raise
  ];
  const unmatchedLater = [label(unknown, 0, NOW - DAY), label(fixtureId(9_000_002), 1, NOW - 5 * DAY)];
  return { early: [...early, ...unmatched.slice(0, 1)], late: [first, [tiedFirst], [tiedSecond], second, third, unmatched.slice(1), unmatchedLater] };
}

/** Equal counts (integers) exactly, every other figure within 1e-9 relative (and 1e-15 absolute, for sums that cancel to ~0). */
function expectClose(actual: unknown, expected: unknown, path: string): void {
  if (typeof expected === 'number' && typeof actual === 'number') {
    if (Number.isInteger(expected) && Number.isInteger(actual)) {
      expect(actual, path).to.equal(expected);
      return;
    }
    expect(Math.abs(actual - expected), `${path}: ${actual} vs ${expected}`).to.be.at.most(1e-9 * Math.max(Math.abs(actual), Math.abs(expected)) + 1e-15);
    return;
  }
  if (Array.isArray(expected)) {
    expect(actual, path).to.be.an('array').with.length(expected.length);
    expected.forEach((item, i) => expectClose((actual as unknown[])[i], item, `${path}[${i}]`));
    return;
  }
  if (expected !== null && typeof expected === 'object') {
    expect(actual, path).to.be.an('object');
    expect(Object.keys(actual as object).sort(), path).to.deep.equal(Object.keys(expected).sort());
    for (const [key, value] of Object.entries(expected)) expectClose((actual as Record<string, unknown>)[key], value, `${path}.${key}`);
    return;
  }
  expect(actual, path).to.equal(expected);
}

/** Cells by (bin, prediction, label), without SQLite's emptied cells (count 0: every row moved to its label). */
function cellMap(cells: readonly QualityCell[]): Map<string, QualityCell> {
  return new Map(cells.filter((c) => c.count !== 0).map((c) => [`${c.bin}:${c.prediction}:${c.label}`, c]));
}

describe('Postgres quality reader: the figures SQLite gives, from the audit rows', function () {
  this.timeout(120_000);
  const schema = `test_pg_quality_${process.pid}`;
  let dir: string;
  let path: string;
  let writer: SqliteWriter;
  let store: PostgresStore;
  let sqlite: SqliteQualityReader;
  let postgres: PostgresQualityReader;
  let sqliteService: PerformanceService;
  let postgresService: PerformanceService;
  let records: PredictionRecord[];

  before(async function () {
    await dropSchema(schema);
    // One SQLite file for the whole describe (useTempDirs would remove it after the first test).
    dir = mkdtempSync(join(tmpdir(), 'vigil-pg-quality-'));
    path = join(dir, 'monitoring.db');
    // The real write paths: SQLite first (its quality rollups kept as it writes), then the audit shipper to Postgres.
    writer = SqliteWriter.open(path, { now: () => NOW });
    store = await PostgresStore.open({ connectionString: POSTGRES_URL, schema });
    records = predictions();
    const { early, late } = scenario(records);
    writer.insertLabels(early);
    for (let i = 0; i < records.length; i += 500) writer.insertBatch(records.slice(i, i + 500));
    for (const labels of late) writer.insertLabels(labels);
    // One page in flight: the audit's ids then follow the write order (ties at an equal received_at, the last 1000 arrivals).
    await new AuditShipper(writer, store, { batchSize: 700, parallelPages: 1 }).drain();
    sqlite = SqliteQualityReader.open(path);
    postgres = new PostgresQualityReader(store);
    const { calibrator } = loadQualityCalibrator('artifacts/quality-reference.json');
    sqliteService = new PerformanceService(sqlite, calibrator, () => NOW);
    postgresService = new PerformanceService(postgres, calibrator, () => NOW);
  });
  after(async function () {
    sqlite?.close();
    await postgres?.close();
    writer?.close();
    await store?.close();
    await dropSchema(schema);
    rmSync(dir, { recursive: true, force: true });
  });

  it('ships every prediction and label version to the audit (the premise of the comparison)', async function () {
    const counts = await store.read(async (client, table) => {
      const result = await client.query<{ predictions: string; labels: string }>(
        `SELECT (SELECT count(*) FROM ${table('predictions')}) AS predictions, (SELECT count(*) FROM ${table('labels')}) AS labels`,
      );
      return result.rows[0]!;
    });
    expect(Number(counts.predictions)).to.equal(records.length);
    expect(Number(counts.labels)).to.be.greaterThan(records.length / 2);
  });

  for (const window of ['2m', '1h', '24h', '7d', '30d']) {
    for (const modelVersion of [undefined, 'v2']) {
      it(`gives the same cells and label delays over ${window}${modelVersion ? ` for ${modelVersion}` : ''}`, async function () {
        const since = Math.floor((NOW - parseWindow(window).ms) / MINUTE);
        const [a, b] = await Promise.all([sqlite.span(since, modelVersion), postgres.span(since, modelVersion)]);
        const expected = cellMap(a.cells);
        const actual = cellMap(b.cells);
        expect(expected.size).to.be.greaterThan(0);
        // Every bin with its rows, at every edge: width_bucket bins as binOf does.
        expect([...actual.keys()].sort()).to.deep.equal([...expected.keys()].sort());
        for (const [key, cell] of expected) expectClose(actual.get(key), cell, key);
        expect(new Map([...b.labelDelays].sort())).to.deep.equal(new Map([...a.labelDelays].sort()));
      });

      it(`gives the same performance figures over ${window}${modelVersion ? ` for ${modelVersion}` : ''}`, async function () {
        const w = parseWindow(window);
        const expected = await sqliteService.performance(w, modelVersion, undefined);
        expect(expected.labeled).to.be.greaterThan(0);
        expectClose(await postgresService.performance(w, modelVersion, undefined), expected, 'performance');
        expectClose(await postgresService.performance(w, modelVersion, 0.3), await sqliteService.performance(w, modelVersion, 0.3), 'performance@0.3');
      });
    }
  }

  for (const [window, bucket] of [
    ['30d', '1d'],
    ['7d', '1h'],
    ['1h', '1m'],
  ] as const) {
    it(`gives the same ${bucket} timeline over ${window}, for all versions and for v1`, async function () {
      const w = parseWindow(window);
      for (const modelVersion of [undefined, 'v1']) {
        const expected = await sqliteService.timeline(w, bucket, modelVersion, undefined);
        expect(expected.buckets.length).to.be.greaterThan(1);
        expectClose(await postgresService.timeline(w, bucket, modelVersion, undefined), expected, `timeline ${modelVersion ?? 'all'}`);
      }
    });
  }

  it('lists the same model versions', async function () {
    for (const window of ['2m', '7d', '30d']) {
      const since = Math.floor((NOW - parseWindow(window).ms) / MINUTE);
      expect(await postgres.modelVersions(since), window).to.deep.equal(await sqlite.modelVersions(since));
    }
    expect(await postgres.modelVersions(Math.floor(NOW / MINUTE) + 10)).to.deep.equal([]);
  });

  it('answers an empty window with no cells', async function () {
    const later = Math.floor((NOW + DAY) / MINUTE); // the timeline starts at the key holding it: tomorrow's hour
    expect(await postgres.span(later, undefined)).to.deep.equal({ cells: [], labelDelays: new Map() });
    expect(await postgres.timeline(later, 'hour', undefined)).to.deep.equal([]);
  });

  it('reports the same unmatched labels and the same last arrival', async function () {
    const sqliteLabels = SqliteLabelReader.open(path);
    const postgresLabels = new PostgresLabelReader(store);
    const sqliteArrivals = SqliteLabelArrivals.open(path);
    const postgresArrivals = new PostgresLabelArrivals(store);
    try {
      const expected = await sqliteLabels.unmatchedLabels(1000);
      // The unknown ids, the back-fill and the upper-case id: current label and first arrival each.
      expect(expected.count).to.equal(4);
      expect(await postgresLabels.unmatchedLabels(1000)).to.deep.equal(expected);
      expect(await postgresLabels.unmatchedLabels(2)).to.deep.equal(await sqliteLabels.unmatchedLabels(2));
      const last = await sqliteArrivals.lastReceivedAt();
      expect(last).to.be.a('string');
      expect(await postgresArrivals.lastReceivedAt()).to.equal(last);
    } finally {
      sqliteLabels.close();
      sqliteArrivals.close();
    }
  });
});
