import { expect } from 'chai';
import { join } from 'node:path';
import { MonitoringService, parseWindow } from '@vigil/monitoring';
import type { PredictionRecord } from '@vigil/records';
import { SqliteReader, SqliteWriter } from '@vigil/stores';
import {
  MONITORING_FIXTURE_EXPECTED,
  MONITORING_FIXTURE_VERSION,
  monitoringFixture,
  predictionRecords,
} from '../../../test/support/fixtures/prediction-records';
import { useTempDirs } from '../../../test/support/temp-dirs';

/** The service's clock: fixed, so which rows fall in which window never depends on when the test runs. */
const NOW = Date.UTC(2026, 10, 27, 12, 0, 30);
const OTHER_VERSION = 'fraud-detection-model@other';

/** numpy's default percentile (linear interpolation between closest ranks) over the given latencies. */
function percentile(latencies: readonly number[], q: number): number {
  const sorted = [...latencies].sort((a, b) => a - b);
  const rank = q * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.min(low + 1, sorted.length - 1);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (rank - low);
}

/** The rows a window holds: windows are whole minutes, from the minute `ms` before now. */
function inWindow(records: readonly PredictionRecord[], ms: number, modelVersion?: string): PredictionRecord[] {
  const since = Math.floor((NOW - ms) / 60_000) * 60_000;
  return records.filter((r) => Date.parse(r.timestamp) >= since && (modelVersion === undefined || r.model_version === modelVersion));
}

describe('MonitoringService over a real SQLite file', function () {
  const tempDir = useTempDirs();
  let reader: SqliteReader;
  let service: MonitoringService;
  let records: PredictionRecord[];

  beforeEach(function () {
    // The monitoring fixture (100 rows in the last hour, 20 about 2 h ago), and 30 rows of another model version 10 min ago.
    const other = predictionRecords(30, {
      start: 5000,
      fromMs: NOW - 10 * 60_000,
      stepMs: 1000,
      modelVersion: OTHER_VERSION,
      each: (n) => ({ latency_ms: 3 + (n % 10) }),
    });
    records = [...monitoringFixture(NOW), ...other];
    const path = join(tempDir('monitoring-service'), 'm.db');
    const writer = SqliteWriter.open(path);
    writer.insertBatch(records);
    writer.close();
    reader = SqliteReader.open(path);
    service = new MonitoringService(reader, () => NOW);
  });
  afterEach(async function () {
    await reader.close();
  });

  it('gives latency percentiles within 1% of the exact ones over the rows written, mean and max exact, per model version', async function () {
    for (const [label, version] of [
      ['1h', MONITORING_FIXTURE_VERSION],
      ['24h', MONITORING_FIXTURE_VERSION],
      ['1h', OTHER_VERSION],
      ['1h', undefined],
      ['24h', undefined],
    ] as const) {
      const window = parseWindow(label);
      const rows = inWindow(records, window.ms, version);
      const latencies = rows.map((r) => r.latency_ms);
      const answer = await service.latency(window, version);
      const what = `${label} ${version ?? 'all versions'}`;
      expect(answer.window, what).to.equal(label);
      expect(answer.count, what).to.equal(rows.length).and.be.greaterThan(0);
      for (const [key, q] of [
        ['p50', 0.5],
        ['p95', 0.95],
        ['p99', 0.99],
      ] as const) {
        const exact = percentile(latencies, q);
        expect(answer[key], `${what} ${key}`).to.be.closeTo(exact, exact * 0.01);
      }
      expect(answer.mean, `${what} mean`).to.be.closeTo(latencies.reduce((a, b) => a + b, 0) / latencies.length, 1e-9);
      expect(answer.max, `${what} max`).to.equal(Math.max(...latencies));
    }
  });

  it('agrees with the answers numpy gives for the monitoring fixture', async function () {
    for (const label of ['1h', '24h'] as const) {
      const expected = MONITORING_FIXTURE_EXPECTED[label];
      const answer = await service.latency(parseWindow(label), MONITORING_FIXTURE_VERSION);
      expect(answer.count, label).to.equal(expected.count);
      for (const key of ['p50', 'p95', 'p99'] as const) expect(answer[key], `${label} ${key}`).to.be.closeTo(expected[key], expected[key] * 0.01);
      for (const key of ['mean', 'max'] as const) expect(answer[key], `${label} ${key}`).to.be.closeTo(expected[key], 1e-9);
      const distribution = await service.distribution(parseWindow(label), MONITORING_FIXTURE_VERSION);
      expect(distribution).to.include({ fraud: expected.fraud, non_fraud: expected.non_fraud, total: expected.count });
    }
  });

  it('counts fraud and non-fraud exactly, in every window and per model version', async function () {
    for (const label of ['1m', '5m', '15m', '1h', '2h', '3h', '24h']) {
      for (const version of [undefined, MONITORING_FIXTURE_VERSION, OTHER_VERSION]) {
        const rows = inWindow(records, parseWindow(label).ms, version);
        const fraud = rows.filter((r) => r.prediction === 1).length;
        const answer = await service.distribution(parseWindow(label), version);
        expect(answer, `${label} ${version ?? 'all versions'}`).to.deep.equal({
          window: label,
          fraud,
          non_fraud: rows.length - fraud,
          total: rows.length,
          fraud_rate: rows.length === 0 ? null : fraud / rows.length,
        });
      }
    }
  });

  it('keeps rows before the window out: a window starts at the whole minute its length before now', async function () {
    // 1h: the fixture's last hour and the other version's 30 rows; 2h: also the one older row at exactly 2 h ago; 3h: all.
    expect((await service.latency(parseWindow('1h'))).count).to.equal(130);
    expect((await service.latency(parseWindow('2h'))).count).to.equal(131);
    expect((await service.latency(parseWindow('3h'))).count).to.equal(150);
    // Now is 12:00:30. 5m starts at 11:55:00: the fixture rows 11:55:00 to 11:57:30, every 30 s, are 6.
    expect((await service.distribution(parseWindow('5m'))).total).to.equal(6);
    // 15m starts at 11:45:00: 26 fixture rows to 11:57:30, and the other version's 30 (11:50:30 to 11:50:59).
    expect((await service.distribution(parseWindow('15m'))).total).to.equal(56);
    expect((await service.distribution(parseWindow('15m'), OTHER_VERSION)).total).to.equal(30);
    // 1m starts at 11:59:00, after the newest row.
    expect((await service.distribution(parseWindow('1m'))).total).to.equal(0);
  });

  it('answers a window with no rows (or an unknown model version) with count 0 and nulls', async function () {
    const empty = { count: 0, p50: null, p95: null, p99: null, mean: null, max: null };
    expect(await service.latency(parseWindow('1m'))).to.deep.equal({ window: '1m', ...empty });
    expect(await service.latency(parseWindow('24h'), 'another@1')).to.deep.equal({ window: '24h', ...empty });
    expect(await service.distribution(parseWindow('1m'))).to.deep.equal({ window: '1m', fraud: 0, non_fraud: 0, total: 0, fraud_rate: null });
  });

  it('lists the most recent predictions newest first, with the fields as written', async function () {
    const recent = await service.recent(5);
    const newest = [...records].sort((a, b) => b.timestamp.localeCompare(a.timestamp)).slice(0, 5);
    expect(recent.map((p) => p.prediction_id)).to.deep.equal(newest.map((r) => r.prediction_id));
    expect(recent[0]).to.deep.include({ ...newest[0] });
  });
});
